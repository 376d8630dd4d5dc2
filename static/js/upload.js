// Upload each requirement's file with a progress bar; without JavaScript the form posts normally.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files.length || !window.XMLHttpRequest || !window.FormData) return;
      event.preventDefault();
      var bar = form.querySelector("progress");
      var status = form.querySelector(".upload-status");
      var button = form.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      status.textContent = "";
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = {}; }
        if (xhr.status === 200 && data.ok) {
          bar.value = 100;
          window.location.reload();
        } else {
          button.disabled = false;
          bar.hidden = true;
          status.textContent = data.error || xhr.statusText;
          status.classList.add("errorlist");
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        bar.hidden = true;
        status.textContent = form.dataset.networkError || "Upload failed.";
      });
      xhr.send(new FormData(form));
    });
  });
  var submitForm = document.getElementById("submit-form");
  if (submitForm) {
    submitForm.addEventListener("submit", function () {
      var b = submitForm.querySelector("button[type=submit]");
      setTimeout(function () { b.disabled = true; }, 0);
    });
  }
})();
