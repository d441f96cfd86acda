// The e-mail template editor (templates/console/mail_template.html). The form works without
// this script; with it, the preview follows the text as it is typed, a variable is inserted
// where the cursor is, paragraphs are added and removed in place, and only the fields of the
// chosen mode (texts, or HTML in advanced mode) are shown.
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('template-form');
  if (!form) return;
  var list = document.getElementById('paragraphs');
  var advanced = document.getElementById('advanced');
  var timer = null;
  var lastField = null;

  function paragraphs() { return Array.prototype.slice.call(list.querySelectorAll('.paragraph')); }

  // Paragraphs are numbered by their place, as the server names them in its errors. Their
  // words come from the page, in its language ("Paragraph {n}").
  function numbered(words, n) { return words.replace('{n}', String(n)); }
  function renumber() {
    paragraphs().forEach(function (p, i) {
      var n = i + 1;
      var area = p.querySelector('textarea');
      area.id = 'paragraph-' + n;
      p.querySelector('label').setAttribute('for', area.id);
      p.querySelector('label').textContent = numbered(list.dataset.label, n);
      p.querySelector('.field-error').id = area.id + '-error';
      p.querySelector('[data-remove-paragraph]').textContent = numbered(list.dataset.remove, n);
    });
  }

  function showError(field, message) {
    var p = document.getElementById(field + '-error');
    var input = document.getElementById(field);
    if (!p) return;
    p.textContent = message || '';
    p.hidden = !message;
    if (!input) return;
    if (message) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', p.id);
    } else {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  }

  function refresh() {
    var body = new URLSearchParams(new FormData(form));
    fetch(form.dataset.preview, { method: 'POST', body: body, credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (a) {
        form.querySelectorAll('.field-error').forEach(function (p) {
          showError(p.id.replace(/-error$/, ''), '');
        });
        a.errors.forEach(function (e) { showError(e.field, e.message); });
        if (a.errors.length === 0) {
          document.getElementById('preview-subject').textContent = a.subject;
          document.getElementById('preview-html').srcdoc = a.html;
          document.getElementById('preview-text').textContent = a.text;
        }
      })
      .catch(function () {});
  }
  function soon() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  form.addEventListener('input', soon);
  form.addEventListener('change', soon);

  // The variable picker: inserts `{{ name }}` where the cursor is in the text field used last.
  form.addEventListener('focusin', function (event) {
    var t = event.target;
    if (t.matches('textarea, input[type=text], input:not([type])')) lastField = t;
  });
  document.querySelectorAll('[data-insert]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var field = lastField || document.getElementById(advanced.checked ? 'html_body' : 'paragraph-1');
      if (!field) return;
      var text = '{{ ' + button.dataset.insert + ' }}';
      var start = field.selectionStart == null ? field.value.length : field.selectionStart;
      var end = field.selectionEnd == null ? start : field.selectionEnd;
      field.value = field.value.slice(0, start) + text + field.value.slice(end);
      field.focus();
      field.setSelectionRange(start + text.length, start + text.length);
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
  });
  var hint = document.getElementById('picker-hint');
  if (hint) hint.hidden = false;

  // Paragraphs: added after the last, removed where they are (the last one is emptied).
  document.getElementById('add-paragraph').addEventListener('click', function (event) {
    event.preventDefault();
    var all = paragraphs();
    var copy = all[all.length - 1].cloneNode(true);
    var area = copy.querySelector('textarea');
    area.value = '';
    area.removeAttribute('aria-invalid');
    area.removeAttribute('aria-describedby');
    copy.querySelector('.field-error').hidden = true;
    list.appendChild(copy);
    renumber();
    area.focus();
  });
  list.addEventListener('click', function (event) {
    var button = event.target.closest('[data-remove-paragraph]');
    if (!button) return;
    var p = button.closest('.paragraph');
    if (paragraphs().length > 1) { p.remove(); } else { p.querySelector('textarea').value = ''; }
    renumber();
    soon();
  });
  list.querySelectorAll('[data-remove-paragraph]').forEach(function (b) { b.hidden = false; });

  // The advanced switch: the texts, or the HTML and text bodies.
  function mode() {
    document.getElementById('parts-fields').hidden = advanced.checked;
    document.getElementById('html-fields').hidden = !advanced.checked;
  }
  advanced.addEventListener('change', mode);
  mode();
});
