package storage_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// The subtree of an agency is one range over idx_agencies_path, on both
// databases: listing agencies, and rows of a subtree through agency_id.
// (PostgreSQL is told to avoid sequential scans, which a table this small
// would otherwise get; the point is that the index can serve the range.)
func TestSubtreeQueriesUseThePathIndex(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	tr := newTree(t, st)
	postgres := st.Driver() == "postgres"
	queries := []struct {
		name string
		sql  func(tx *gorm.DB) *gorm.DB
	}{
		{"agencies", func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&storage.Agency{}).Where("path >= ? AND path < ?", tr.A.Path, strings.TrimSuffix(tr.A.Path, "/")+"0").Select("id")
		}},
		{"deliveries", func(tx *gorm.DB) *gorm.DB {
			return st.InSubtree(tx.Model(&storage.Delivery{}), "agency_id", tr.A.ID).Select("id")
		}},
	}
	if postgres {
		// Bytewise order whatever the database's locale, or the range is wrong.
		var collation string
		if err := st.DB().Raw("SELECT collation_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'agencies' AND column_name = 'path'").
			Scan(&collation).Error; err != nil || collation != "C" {
			t.Errorf("agencies.path collation = %q, %v; want C", collation, err)
		}
	}
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			err := st.DB().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				prefix := "EXPLAIN QUERY PLAN "
				if postgres {
					prefix = "EXPLAIN "
					if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
						return err
					}
				}
				stmt := q.sql(tx.Session(&gorm.Session{DryRun: true})).Find(&[]int64{}).Statement
				rows, err := tx.Raw(prefix+stmt.SQL.String(), stmt.Vars...).Rows()
				if err != nil {
					return err
				}
				defer rows.Close()
				cols, _ := rows.Columns()
				var plan []string
				for rows.Next() {
					vals := make([]any, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						return err
					}
					plan = append(plan, fmtRow(vals[len(vals)-1]))
				}
				text := strings.Join(plan, "\n")
				t.Logf("%s plan:\n%s", st.Driver(), text)
				if !strings.Contains(text, "idx_agencies_path") {
					t.Errorf("the subtree query does not use idx_agencies_path:\n%s", text)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func fmtRow(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}
