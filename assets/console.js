// The console's scripts, served as a file (the Content-Security-Policy allows no inline
// script): confirmations before destructive buttons, frames sized to the message they show, and
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

// A message's frame grows to the height of the message it shows (the frame is same-origin
// and runs no script of its own), again each time its content changes.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('iframe[data-fit]').forEach(function (frame) {
    function fit() {
      var doc = frame.contentDocument;
      if (!doc || !doc.documentElement) return;
      // Measured with no room to spare, so that it shrinks as well as grows.
      frame.style.height = '0px';
      frame.style.height = (doc.documentElement.scrollHeight + 2) + 'px';
    }
    frame.addEventListener('load', fit);
    if (frame.contentDocument && frame.contentDocument.readyState === 'complete') fit();
  });
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
