package storage

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// Frozen shapes of the tables and columns added by migration 15.

// m0015VocabTerm is one entry of an installation-wide list: a content
// area (nội dung) or an audience (đối tượng). Its code never changes once
// made (rows elsewhere hold it); its label may, and a term no longer
// offered is disabled, not deleted.
type m0015VocabTerm struct {
	ID         int64      `gorm:"primaryKey"`
	Kind       string     `gorm:"size:20;not null;uniqueIndex:idx_vocab_terms_kind_code,priority:1"`
	Code       string     `gorm:"size:40;not null;uniqueIndex:idx_vocab_terms_kind_code,priority:2"`
	Label      string     `gorm:"size:300;not null"`
	Position   int        `gorm:"not null;default:0"`
	DisabledAt *time.Time `gorm:""`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (m0015VocabTerm) TableName() string { return "vocab_terms" }

// m0015Plan is an agency's yearly communication plan.
type m0015Plan struct {
	ID        int64  `gorm:"primaryKey"`
	AgencyID  int64  `gorm:"not null;index:idx_plans_agency_year,priority:1"`
	Title     string `gorm:"size:1000;not null"`
	Year      int    `gorm:"not null;index:idx_plans_agency_year,priority:2"`
	Reference string `gorm:"size:500;not null;default:''"`
	CreatedBy int64  `gorm:"not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (m0015Plan) TableName() string { return "plans" }

// m0015PlanActivity is one activity of a plan. Forms is a JSON array of
// form codes; timing is a kind (thuong_xuyen, ca_nam, Q1..Q4, event,
// range) with, for a range, its first and last days as YYYY-MM-DD.
// AgencyID is the plan's, copied so that lists by subtree need no join.
type m0015PlanActivity struct {
	ID          int64  `gorm:"primaryKey"`
	PlanID      int64  `gorm:"not null;index"`
	AgencyID    int64  `gorm:"not null;index"`
	Position    int    `gorm:"not null;default:0"`
	Code        string `gorm:"size:20;not null;default:''"`
	Title       string `gorm:"size:2000;not null"`
	ContentArea string `gorm:"size:40;not null;default:''"`
	Audience    string `gorm:"size:40;not null;default:''"`
	Forms       string `gorm:"type:text;not null"`
	TimingKind  string `gorm:"size:20;not null"`
	TimingFrom  string `gorm:"size:10;not null;default:''"`
	TimingTo    string `gorm:"size:10;not null;default:''"`
	Unit        string `gorm:"size:500;not null;default:''"`
	Target      *int64
	TargetText  string `gorm:"size:500;not null;default:''"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (m0015PlanActivity) TableName() string { return "plan_activities" }

// m0015ActivityRecord is offline work done for an activity: a conference,
// leaflets, a contest. OccurredOn is the local day, YYYY-MM-DD, so that a
// period's days compare as text on every database.
type m0015ActivityRecord struct {
	ID           int64  `gorm:"primaryKey"`
	ActivityID   int64  `gorm:"not null;index"`
	AgencyID     int64  `gorm:"not null;index:idx_activity_records_agency_day,priority:1"`
	OccurredOn   string `gorm:"size:10;not null;index:idx_activity_records_agency_day,priority:2"`
	Form         string `gorm:"size:20;not null"`
	Description  string `gorm:"size:2000;not null;default:''"`
	Count        int64  `gorm:"not null;default:0"`
	AttachmentID *int64
	CreatedBy    int64 `gorm:"not null"`
	CreatedAt    time.Time
}

func (m0015ActivityRecord) TableName() string { return "activity_records" }

// m0015Attachment is a file kept with a record (a scanned attendance list).
type m0015Attachment struct {
	ID          int64  `gorm:"primaryKey"`
	AgencyID    int64  `gorm:"not null;index"`
	FileName    string `gorm:"size:255;not null"`
	ContentType string `gorm:"size:100;not null"`
	Size        int64  `gorm:"not null"`
	Data        []byte `gorm:"not null"`
	SHA256      string `gorm:"column:sha256;size:64;not null"`
	CreatedBy   int64  `gorm:"not null"`
	CreatedAt   time.Time
}

func (m0015Attachment) TableName() string { return "attachments" }

// m0015Classified are the columns posts, schedules and sources get: a
// content area's and an audience's code ("" for none) and the plan
// activity they carry out. posts already has a free-text "audience" (all,
// officials, public, sent to webhooks), hence audience_code.
type m0015Classified struct {
	ContentArea  string `gorm:"size:40;not null;default:''"`
	AudienceCode string `gorm:"size:40;not null;default:''"`
	ActivityID   *int64
}

// m0015ClassifiedTables get m0015Classified's columns.
var m0015ClassifiedTables = []string{"posts", "schedules", "sources"}

// m0015Seed is the lists as a new installation starts with them, from
// the provinces' plans (see the plans in the reference seeds).
var m0015Seed = []struct{ kind, code, label string }{
	{"content_area", "tam_quan_trong", "Tầm quan trọng, mục tiêu của CCHC"},
	{"content_area", "chu_truong", "Chủ trương, chính sách về CCHC"},
	{"content_area", "the_che", "Cải cách thể chế"},
	{"content_area", "tthc", "Cải cách thủ tục hành chính, cơ chế một cửa, một cửa liên thông"},
	{"content_area", "bo_may", "Cải cách tổ chức bộ máy"},
	{"content_area", "cong_vu", "Cải cách chế độ công vụ"},
	{"content_area", "tai_chinh_cong", "Cải cách tài chính công"},
	{"content_area", "chinh_phu_so", "Xây dựng chính quyền điện tử, chính quyền số"},
	{"content_area", "dvc_truc_tuyen", "Dịch vụ công trực tuyến"},
	{"content_area", "chi_so", "Các chỉ số CCHC (PAR Index, SIPAS, PAPI, PCI)"},
	{"content_area", "ket_qua", "Kết quả, tồn tại, hạn chế và nguyên nhân"},
	{"content_area", "mo_hinh", "Mô hình hay, điển hình tiên tiến"},
	{"audience", "can_bo", "Cán bộ, công chức, viên chức, người lao động"},
	{"audience", "nguoi_dan", "Người dân, doanh nghiệp"},
}

// m0015LegacyAudience maps the posts' older audience values (content's
// all/officials/public) to the seeded audiences.
var m0015LegacyAudience = map[string]string{"officials": "can_bo", "public": "nguoi_dan"}

// migrate0015 adds the lists, plans, activities, offline records and
// attachments, and classifies posts, schedules and sources by the lists
// where their free text already names a term.
func migrate0015(tx *gorm.DB) error {
	m := tx.Migrator()
	if err := m.CreateTable(&m0015VocabTerm{}, &m0015Plan{}, &m0015PlanActivity{},
		&m0015ActivityRecord{}, &m0015Attachment{}); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i, t := range m0015Seed {
		row := m0015VocabTerm{Kind: t.kind, Code: t.code, Label: t.label, Position: i + 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
	}
	for _, table := range m0015ClassifiedTables {
		for _, col := range []string{"ContentArea", "AudienceCode", "ActivityID"} {
			if err := tx.Table(table).Migrator().AddColumn(&m0015Classified{}, col); err != nil {
				return fmt.Errorf("add %s.%s: %w", table, col, err)
			}
		}
		// (activity_id): a plan's progress and report read posts by activity.
		if err := tx.Exec(fmt.Sprintf("CREATE INDEX idx_%s_activity ON %s (activity_id)", table, table)).Error; err != nil {
			return err
		}
	}
	if err := m0015ClassifyPosts(tx); err != nil {
		return err
	}
	if err := m0015ClassifyTemplates(tx, "schedules", "category", "audience"); err != nil {
		return err
	}
	return m0015ClassifyTemplates(tx, "sources", "Category", "")
}

// m0015Terms maps the key of each seeded term's code and label to its
// code, per kind.
func m0015Terms() map[string]map[string]string {
	out := map[string]map[string]string{"content_area": {}, "audience": {}}
	for _, t := range m0015Seed {
		out[t.kind][m0015Key(t.code)] = t.code
		out[t.kind][m0015Key(t.label)] = t.code
	}
	for old, code := range m0015LegacyAudience {
		out["audience"][old] = code
	}
	return out
}

// m0015ClassifyPosts sets posts' codes from their category and audience,
// one UPDATE per distinct value that names a term: the number of
// statements follows the distinct values, not the posts.
func m0015ClassifyPosts(tx *gorm.DB) error {
	terms := m0015Terms()
	for _, c := range []struct{ from, to, kind string }{
		{"category", "content_area", "content_area"},
		{"audience", "audience_code", "audience"},
	} {
		var values []string
		if err := tx.Table("posts").Distinct(c.from).Where(c.from+" <> ''").Pluck(c.from, &values).Error; err != nil {
			return err
		}
		for _, v := range values {
			code, ok := terms[c.kind][m0015Key(v)]
			if !ok {
				continue
			}
			if err := tx.Exec("UPDATE posts SET "+c.to+" = ? WHERE "+c.from+" = ?", code, v).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// m0015ClassifyTemplates sets the codes of schedules or sources from their
// stored template's JSON keys catKey and audKey ("" when it has none).
func m0015ClassifyTemplates(tx *gorm.DB, table, catKey, audKey string) error {
	terms := m0015Terms()
	var rows []struct {
		ID       int64
		Template string
	}
	if err := tx.Table(table).Select("id", "template").Order("id").Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		var tmpl map[string]any
		if err := json.Unmarshal([]byte(r.Template), &tmpl); err != nil {
			continue // unreadable templates stay unclassified; nothing else reads them here
		}
		text := func(key string) string {
			s, _ := tmpl[key].(string)
			return s
		}
		area := terms["content_area"][m0015Key(text(catKey))]
		aud := ""
		if audKey != "" {
			aud = terms["audience"][m0015Key(text(audKey))]
		}
		if area == "" && aud == "" {
			continue
		}
		err := tx.Table(table).Where("id = ?", r.ID).
			Updates(map[string]any{"content_area": area, "audience_code": aud}).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// m0015Key is the form text is compared in: NFC, case-folded, spaces
// collapsed.
func m0015Key(s string) string {
	s = norm.NFC.String(cases.Fold().String(norm.NFD.String(s)))
	return strings.Join(strings.Fields(s), " ")
}
