(function () {
  'use strict';
  var table = document.getElementById('findings');
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = Array.prototype.slice.call(document.querySelectorAll('select[data-filter]'));
  var text = document.getElementById('filter-text');
  var shown = document.getElementById('shown');

  function apply() {
    var needle = text ? text.value.trim().toLowerCase() : '';
    var n = 0;
    rows.forEach(function (row) {
      var visible = selects.every(function (s) {
        return s.value === '' || row.getAttribute('data-' + s.getAttribute('data-filter')) === s.value;
      });
      if (visible && needle !== '') {
        visible = row.textContent.toLowerCase().indexOf(needle) >= 0;
      }
      row.hidden = !visible;
      if (visible) { n++; }
    });
    shown.textContent = String(n);
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  if (text) { text.addEventListener('input', apply); }
  var reset = document.getElementById('filter-reset');
  if (reset) {
    reset.addEventListener('click', function () {
      selects.forEach(function (s) { s.value = ''; });
      if (text) { text.value = ''; }
      apply();
    });
  }

  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(row, col) {
    var cell = row.cells[col];
    var v = cell.getAttribute('data-sort');
    return v === null ? cell.textContent.trim().toLowerCase() : v;
  }
  heads.forEach(function (th, col) {
    var button = th.querySelector('button');
    if (!button) { return; }
    button.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      var numeric = th.getAttribute('data-type') === 'number';
      rows.sort(function (a, b) {
        var x = key(a, col), y = key(b, col);
        var c = numeric ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);
        return c !== 0 ? c * dir : Number(a.getAttribute('data-order')) - Number(b.getAttribute('data-order'));
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
}());
