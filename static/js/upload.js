// Upload each requirement's file with a progress bar; without JavaScript the form posts normally.
(function () {
  "use strict";
  // Typed data is never lost (issue 21 item 6): the fields of a form marked data-keep are kept
  // in this tab's sessionStorage as they are typed and put back after a reload (an upload, a
  // refresh); sending the form itself clears them.
  var store = window.sessionStorage;
  document.querySelectorAll("form[data-keep]").forEach(function (form) {
    var key = "ptsp-keep:" + location.pathname + "#" + form.id;
    var fields = form.querySelectorAll("input[name]:not([type=file]):not([type=hidden]), textarea[name], select[name]");
    try {
      var saved = JSON.parse(store.getItem(key) || "null");
      if (saved) {
        var restored = false;
        fields.forEach(function (f) {
          if (!(f.name in saved)) return;
          if (f.type === "checkbox") { if (f.checked !== saved[f.name]) { f.checked = saved[f.name]; restored = true; } }
          else if (f.value !== saved[f.name]) { f.value = saved[f.name]; restored = true; }
        });
        var note = form.querySelector("[data-restored]");
        if (restored && note) note.hidden = false;
      }
    } catch (err) { /* storage refused: the page still works */ }
    function keep() {
      var data = {};
      fields.forEach(function (f) { data[f.name] = f.type === "checkbox" ? f.checked : f.value; });
      try { store.setItem(key, JSON.stringify(data)); } catch (err) { /* full or refused */ }
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function () { try { store.removeItem(key); } catch (err) { /* */ } });
  });

  // Client-side checks before a large upload starts: the type and the size limit of the
  // requirement (the server checks the content again).
  function refuse(form, input, message) {
    var status = form.querySelector(".upload-status");
    if (status) { status.textContent = message; status.classList.add("errorlist"); }
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
  function checked(form, input) {
    var file = input.files && input.files[0];
    if (!file) return true;
    var max = parseInt(form.dataset.maxBytes || "0", 10);
    var kinds = (form.dataset.extensions || "").split(",").filter(Boolean);
    var name = file.name.toLowerCase();
    if (kinds.length && !kinds.some(function (ext) { return name.endsWith(ext); })) {
      refuse(form, input, form.dataset.typeError || "Wrong file type.");
      return false;
    }
    if (max && file.size > max) {
      refuse(form, input, form.dataset.sizeError || "File too large.");
      return false;
    }
    input.removeAttribute("aria-invalid");
    return true;
  }
  document.querySelectorAll("form[data-check]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    if (!input) return;
    input.addEventListener("change", function () { checked(form, input); });
    form.addEventListener("submit", function (event) {
      if (!checked(form, input)) { event.preventDefault(); event.stopImmediatePropagation(); }
    });
  });

  // A page with an error summary (a failed save) puts focus on it (issue 21 item 16).
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  // After a reload caused by an upload, focus goes to that upload's result, not the top.
  try {
    var focusId = store.getItem("ptsp-focus");
    if (focusId) {
      store.removeItem("ptsp-focus");
      var target = document.getElementById(focusId);
      if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
    }
  } catch (err) { /* */ }

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files.length || !window.XMLHttpRequest || !window.FormData) return;
      if (event.defaultPrevented) return;
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
          // The typed fields are kept (data-keep) and come back after the reload.
          try { store.setItem("ptsp-focus", form.dataset.result || ""); } catch (err) { /* */ }
          window.location.reload();
        } else {
          button.disabled = false;
          bar.hidden = true;
          status.textContent = data.error || xhr.statusText;
          status.classList.add("errorlist");
          input.focus();
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
