// Lịch đăng: drag an unsent post onto another day to reschedule it. The
// drop fills the entry's own reschedule form (the same one that works with
// JavaScript off) with the new date, keeps its time, and submits it: the
// server checks everything and answers as for the plain form.
(function () {
  'use strict';
  var cal = document.querySelector('.cal');
  if (!cal || !cal.querySelector('.movable')) {
    return;
  }
  var hint = document.querySelector('.cal-dnd-hint');
  if (hint) {
    hint.hidden = false;
  }
  var dragged = null;

  function dayOf(node) {
    return node && node.closest ? node.closest('.cal-day') : null;
  }
  function clearDrop() {
    cal.querySelectorAll('.cal-day.drop').forEach(function (d) { d.classList.remove('drop'); });
  }

  cal.addEventListener('dragstart', function (e) {
    var entry = e.target.closest ? e.target.closest('.movable') : null;
    if (!entry) {
      return;
    }
    dragged = entry;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', entry.id);
    entry.classList.add('dragging');
  });
  cal.addEventListener('dragend', function () {
    if (dragged) {
      dragged.classList.remove('dragging');
    }
    dragged = null;
    clearDrop();
  });
  cal.addEventListener('dragover', function (e) {
    var day = dragged ? dayOf(e.target) : null;
    if (!day) {
      return;
    }
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    if (!day.classList.contains('drop')) {
      clearDrop();
      day.classList.add('drop');
    }
  });
  cal.addEventListener('drop', function (e) {
    var day = dragged ? dayOf(e.target) : null;
    if (!day) {
      return;
    }
    e.preventDefault();
    var entry = dragged;
    var form = entry.querySelector('form.cal-move-form');
    clearDrop();
    if (!form || dayOf(entry) === day) {
      return;
    }
    form.elements.date.value = day.getAttribute('data-date');
    entry.classList.add('dragging');
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();
