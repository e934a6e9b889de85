// Nhập tin từ tệp: while the server checks or imports the file (a few
// seconds for thousands of rows), say so and keep the form from being sent
// twice. The page works the same without this script.
(function () {
  "use strict";
  var form = document.querySelector("form.import");
  if (!form) { return; }
  var status = form.querySelector(".import-progress");
  var sent = false;
  form.addEventListener("submit", function (ev) {
    if (sent) { ev.preventDefault(); return; }
    sent = true;
    var action = ev.submitter ? ev.submitter.value : "kiem-tra";
    status.textContent = action === "nhap"
      ? "Đang kiểm tra và nhập tin… Việc này có thể mất vài giây với tệp lớn; vui lòng không đóng trang."
      : "Đang kiểm tra tệp… Việc này có thể mất vài giây với tệp lớn.";
    status.hidden = false;
    form.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });
})();
