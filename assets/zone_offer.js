// The portal's home page: offers the browser's time zone when it differs from the person's.
// Nothing changes until the person presses "Use"; "Keep" hides the offer for that zone.
(function () {
  'use strict';
  var form = document.getElementById('zone-offer');
  if (!form) return;
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  var utc = ['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Etc/Zulu'];
  var current = form.getAttribute('data-current');
  if (!zone || zone === current || (utc.indexOf(zone) >= 0 && utc.indexOf(current) >= 0)) return;
  var key = 'admit-zone-offer:' + form.getAttribute('action') + ':' + current + ':' + zone;
  try {
    if (window.localStorage.getItem(key)) return;
  } catch (e) { /* no storage: offer each time */ }
  form.elements.time_zone.value = zone;
  form.querySelector('[data-zone]').textContent = zone;
  form.hidden = false;
  form.querySelector('[data-keep]').addEventListener('click', function () {
    try {
      window.localStorage.setItem(key, '1');
    } catch (e) { /* nothing to remember it in */ }
    form.hidden = true;
  });
})();
