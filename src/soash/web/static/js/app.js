/* Soash: small progressive enhancements. Every page works without them. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // The phone menu.
  function initMenu() {
    var button = document.querySelector("[data-menu-toggle]");
    var menu = document.getElementById("sidebar");
    if (!button || !menu) return;
    button.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        menu.classList.remove("open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }

  // A timezone select that has not been chosen yet takes the browser's timezone.
  function initTimezone(root) {
    root.querySelectorAll("select[data-detect-timezone='yes']").forEach(function (select) {
      var zone;
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
      if (!zone) return;
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
      if (!option) return;
      select.value = zone;
      var hint = select.parentElement.querySelector("[data-timezone-hint]");
      if (hint) hint.textContent = "Detected from your browser: " + zone.replace(/_/g, " ") + ". Best posting times and daily charts use it.";
    });
  }

  // Copy buttons: data-copy="#id-of-an-input-or-element".
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "sr-only";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function initCopy(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (button.dataset.copyReady) return;
      button.dataset.copyReady = "1";
      button.addEventListener("click", function () {
        var source = document.querySelector(button.getAttribute("data-copy"));
        if (!source) return;
        var text = source.value !== undefined ? source.value : source.textContent;
        var label = button.querySelector("[data-copy-label]") || button;
        var before = label.textContent;
        copyText(text.trim()).then(function () {
          label.textContent = "Copied";
        }, function () {
          label.textContent = "Press Ctrl+C";
          if (source.select) source.select();
        }).then(function () {
          window.setTimeout(function () { label.textContent = before; }, 1800);
        });
      });
    });
  }

  // Filters that apply on change; forms that ask first.
  function initForms(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (field) {
      if (field.dataset.autosubmitReady) return;
      field.dataset.autosubmitReady = "1";
      field.addEventListener("change", function () {
        if (field.form) field.form.requestSubmit();
      });
    });
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmReady) return;
      form.dataset.confirmReady = "1";
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  // htmx: errors become a toast with the server's message.
  function initHtmx() {
    var toast = document.getElementById("live-toast");
    var timer;
    document.body.addEventListener("htmx:responseError", function (event) {
      if (!toast) return;
      var text = (event.detail.xhr && event.detail.xhr.responseText) || "";
      toast.textContent = text.length && text.length < 600 ? text : "That did not work. Reload the page and try again.";
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { toast.textContent = ""; }, 6000);
    });
    document.body.addEventListener("htmx:sendError", function () {
      if (toast) toast.textContent = "Soash could not be reached. Check your connection and try again.";
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      initCopy(event.target);
      initForms(event.target);
      if (window.SoashCharts) window.SoashCharts.init(event.target);
    });
  }

  onReady(function () {
    initMenu();
    initTimezone(document);
    initCopy(document);
    initForms(document);
    initHtmx();
  });
})();
