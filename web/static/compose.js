// Soạn tin, improved when scripts run: the body textarea becomes a rich-text
// editor (Quill, vendored) that writes its HTML back into the textarea, so
// the form posts exactly what it would without script; title and summary
// show their length; previews refresh as the user types and become tabs.
// Without this file every part of the form still works.
(function () {
  'use strict';

  // Vietnamese names for the editor's toolbar buttons, which are icons.
  var buttonNames = {
    'ql-bold': 'Chữ đậm', 'ql-italic': 'Chữ nghiêng', 'ql-underline': 'Gạch chân', 'ql-link': 'Chèn liên kết',
    'ql-image': 'Chèn ảnh theo địa chỉ', 'ql-clean': 'Bỏ định dạng', 'ql-list': 'Danh sách'
  };

  var form = document.getElementById('compose-form');
  if (!form) {
    tabify(document.getElementById('preview-body'));
    return;
  }
  setupEditor(form);
  setupCounts(form);
  setupPreviews(form);

  function setupEditor(form) {
    var source = form.querySelector('textarea.body-source');
    if (!source || typeof window.Quill === 'undefined') {
      return;
    }
    var holder = document.createElement('div');
    holder.className = 'editor';
    source.parentNode.insertBefore(holder, source.nextSibling);
    var quill = new window.Quill(holder, {
      theme: 'snow',
      modules: {
        toolbar: {
          container: [[{ header: [2, 3, false] }], ['bold', 'italic', 'underline'],
            [{ list: 'ordered' }, { list: 'bullet' }], ['link', 'image'], ['clean']],
          handlers: { image: function () { insertImage(quill); } }
        }
      }
    });
    // A pasted script's text is not content (the server drops scripts too).
    var Delta = window.Quill.import('delta');
    quill.clipboard.addMatcher('SCRIPT', function () { return new Delta(); });
    if (source.value.trim() !== '') {
      quill.clipboard.dangerouslyPasteHTML(source.value, 'silent');
    }
    source.hidden = true;
    labelEditor(form, quill);
    var sync = function () {
      // Quill 2.0.3's getSemanticHTML writes every space as &nbsp;, which
      // would stop lines wrapping on the websites the post goes to.
      source.value = quill.getLength() > 1 ? quill.getSemanticHTML().replace(/&nbsp;/g, ' ') : '';
      source.dispatchEvent(new Event('input', { bubbles: true }));
    };
    quill.on('text-change', sync);
    form.addEventListener('submit', sync);
  }

  // insertImage asks for an image's address: the server keeps images by
  // address, not pasted files.
  function insertImage(quill) {
    var url = window.prompt('Địa chỉ ảnh (bắt đầu bằng https://)');
    if (url && /^https?:\/\//i.test(url.trim())) {
      var range = quill.getSelection(true);
      quill.insertEmbed(range.index, 'image', url.trim(), 'user');
    }
  }

  function labelEditor(form, quill) {
    var root = quill.root;
    root.setAttribute('role', 'textbox');
    root.setAttribute('aria-multiline', 'true');
    root.setAttribute('aria-labelledby', 'l-body');
    root.setAttribute('aria-describedby', 'h-body');
    var label = document.getElementById('l-body');
    if (label) {
      label.addEventListener('click', function (e) { e.preventDefault(); quill.focus(); });
    }
    var toolbar = form.querySelector('.ql-toolbar');
    if (!toolbar) {
      return;
    }
    toolbar.setAttribute('aria-label', 'Định dạng nội dung');
    Array.prototype.forEach.call(toolbar.querySelectorAll('button'), function (b) {
      var name = buttonNames[b.className.split(' ')[0]] || 'Định dạng';
      if (b.value === 'ordered') { name = 'Danh sách đánh số'; }
      if (b.value === 'bullet') { name = 'Danh sách gạch đầu dòng'; }
      b.setAttribute('aria-label', name);
      b.setAttribute('title', name);
    });
    Array.prototype.forEach.call(toolbar.querySelectorAll('.ql-picker-label'), function (l) {
      l.setAttribute('aria-label', 'Kiểu đoạn');
    });
    var input = form.querySelector('.ql-tooltip input[type=text]');
    if (input) {
      input.setAttribute('data-link', 'https://…');
      input.setAttribute('aria-label', 'Địa chỉ liên kết');
    }
  }

  // setupCounts shows "n / limit ký tự" under fields with data-count.
  function setupCounts(form) {
    Array.prototype.forEach.call(form.querySelectorAll('[data-count]'), function (field) {
      var limit = parseInt(field.getAttribute('data-count'), 10);
      var out = document.createElement('p');
      out.className = 'field-count';
      field.parentNode.insertBefore(out, field.nextSibling);
      var show = function () {
        var n = Array.from(field.value).length;
        out.textContent = n + ' / ' + limit + ' ký tự' + (n > limit ? ': vượt giới hạn, hãy rút gọn' : '');
        out.classList.toggle('over', n > limit);
      };
      field.addEventListener('input', show);
      show();
    });
  }

  // setupPreviews refreshes the previews from the server (the same
  // previews "Xem trước" shows) shortly after each change.
  function setupPreviews(form) {
    var body = document.getElementById('preview-body');
    var url = form.getAttribute('data-preview');
    if (!body || !url || !window.fetch) {
      return;
    }
    var timer = null;
    var seq = 0;
    var refresh = function () {
      var mine = ++seq;
      var data = new URLSearchParams(new FormData(form));
      data.delete('action');
      fetch(url, { method: 'POST', body: data, credentials: 'same-origin' })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (mine !== seq) {
            return;
          }
          var doc = new DOMParser().parseFromString(html, 'text/html');
          var fresh = doc.getElementById('preview-body');
          if (fresh) {
            var keep = body.getAttribute('data-selected');
            body.innerHTML = fresh.innerHTML;
            tabify(body, keep);
          }
        })
        .catch(function () { /* the "Xem trước" button still works */ });
    };
    var later = function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 700);
    };
    form.addEventListener('input', later);
    form.addEventListener('change', later);
    var button = form.querySelector('button[value=xem-truoc]');
    if (button) {
      button.addEventListener('click', function (e) {
        e.preventDefault();
        refresh();
        body.scrollIntoView({ behavior: 'smooth', block: 'start' });
      });
    }
    tabify(body);
  }

  // tabify turns the stacked previews into tabs, one per channel.
  function tabify(body, selected) {
    if (!body) {
      return;
    }
    var panels = body.querySelectorAll('section.preview');
    if (panels.length < 2) {
      return;
    }
    var list = document.createElement('div');
    list.className = 'tabs';
    list.setAttribute('role', 'tablist');
    list.setAttribute('aria-label', 'Kênh');
    var tabs = [];
    Array.prototype.forEach.call(panels, function (panel, i) {
      var tab = document.createElement('button');
      tab.type = 'button';
      tab.id = 'tab-' + panel.id;
      tab.textContent = panel.getAttribute('data-label') || ('Kênh ' + (i + 1));
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-controls', panel.id);
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', tab.id);
      tab.addEventListener('click', function () { select(i); });
      tab.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
          var next = (i + (e.key === 'ArrowRight' ? 1 : panels.length - 1)) % panels.length;
          select(next);
          tabs[next].focus();
        }
      });
      tabs.push(tab);
      list.appendChild(tab);
    });
    body.classList.add('tabbed');
    panels[0].parentNode.insertBefore(list, panels[0]);
    var select = function (n) {
      tabs.forEach(function (t, j) {
        t.setAttribute('aria-selected', j === n ? 'true' : 'false');
        t.tabIndex = j === n ? 0 : -1;
        panels[j].hidden = j !== n;
      });
      body.setAttribute('data-selected', panels[n].id);
    };
    var start = 0;
    Array.prototype.forEach.call(panels, function (p, i) { if (p.id === selected) { start = i; } });
    select(start);
  }
})();
