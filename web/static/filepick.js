// File fields: the browser draws its own "choose a file" button and
// "no file chosen" text in the language of its own interface, often
// English. Where this script runs, the field is drawn in Vietnamese
// instead: a "Chọn tệp…" button and the chosen file's name. Without it the
// browser's own field stays, and works the same.
(function () {
  "use strict";
  document.querySelectorAll('input[type="file"]').forEach(function (input) {
    var pick = document.createElement("span");
    pick.className = "file-pick";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Chọn tệp";
    var name = document.createElement("span");
    name.className = "file-name";
    name.setAttribute("aria-live", "polite");
    var show = function () {
      var files = Array.prototype.map.call(input.files, function (f) { return f.name; });
      name.textContent = files.length ? files.join(", ") : "Chưa chọn tệp nào";
    };
    // The button opens the field's chooser, so it is named after the field.
    var label = input.labels && input.labels[0] ? input.labels[0].textContent.trim() : "";
    if (label) { button.setAttribute("aria-label", "Chọn tệp: " + label); }
    button.addEventListener("click", function () { input.click(); });
    input.addEventListener("change", show);
    input.classList.add("file-input");
    input.tabIndex = -1;
    input.parentNode.insertBefore(pick, input);
    pick.appendChild(input);
    pick.appendChild(button);
    pick.appendChild(name);
    show();
  });
})();
