// The console's scripts, served as a file (the Content-Security-Policy allows no inline
// script): confirmations before destructive buttons, the live preview of a mail template, and
// the grant forms' module picker.

// A button with `data-confirm` asks first; with `data-confirm-action`, only when the form's
// `action` field has that value.
document.addEventListener('click', function (event) {
  var button = event.target.closest('button[data-confirm]');
  if (!button) return;
  var only = button.dataset.confirmAction;
  if (only && button.form && button.form.elements.action && button.form.elements.action.value !== only) return;
  if (!window.confirm(button.dataset.confirm)) event.preventDefault();
});

// The access list: a box that ticks (or clears) every row of the page for the bulk actions;
// shown only where this script runs.
document.addEventListener('DOMContentLoaded', function () {
  var all = document.getElementById('select-page');
  if (!all) return;
  var rows = function () { return document.querySelectorAll('input[type=checkbox][form=bulk][name=id]'); };
  all.hidden = false;
  all.addEventListener('change', function () {
    rows().forEach(function (box) { box.checked = all.checked; });
  });
});

// The mail template editor: the preview follows the text as it is typed.
document.addEventListener('DOMContentLoaded', function () {
  if (!document.getElementById('template-form')) return;
(function () {
  var form = document.getElementById('template-form');
  var timer = null;
  function show(field, message) {
    var p = document.getElementById(field + '-error');
    var input = document.getElementById(field);
    if (!p) return;
    p.textContent = message || '';
    p.hidden = !message;
    if (message) { input.setAttribute('aria-invalid', 'true'); } else { input.removeAttribute('aria-invalid'); }
  }
  function refresh() {
    var body = new URLSearchParams(new FormData(form));
    fetch(form.dataset.preview, { method: 'POST', body: body, credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (a) {
        ['subject', 'html_body', 'text_body'].forEach(function (f) {
          var e = a.errors.find(function (x) { return x.field === f; });
          show(f, e ? e.message : '');
        });
        if (a.errors.length === 0) {
          document.getElementById('preview-subject').textContent = a.subject;
          document.getElementById('preview-html').srcdoc = a.html;
          document.getElementById('preview-text').textContent = a.text;
        }
      })
      .catch(function () {});
  }
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(refresh, 300); });
})();
});

// The grant forms' module picker: only the chosen portal's modules are shown and sent.
document.addEventListener('change', function (event) {
  var select = event.target.closest('select[data-modules]');
  if (!select) return;
  document.querySelectorAll('fieldset[data-modules-of="' + select.dataset.modules + '"]').forEach(function (f) {
    var on = f.dataset.portal === select.value;
    f.hidden = !on;
    f.disabled = !on;
  });
});
