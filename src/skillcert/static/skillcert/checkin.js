// Geolocated check-in (考场定位打卡): before a form marked data-geolocate is sent, ask the
// browser for its position and put it in the form's latitude/longitude/accuracy fields.
// A refusal, a timeout or a browser without geolocation still sends the form, without a
// position: the server records the check-in as "not located" and says so.
(function () {
  "use strict";

  function setStatus(form, text) {
    var status = form.querySelector("[role=status]");
    if (status && text) {
      status.textContent = text;
    }
  }

  function fill(form, name, value) {
    var input = form.querySelector("input[name=" + name + "]");
    if (input) {
      input.value = value;
    }
  }

  function send(form) {
    form.dataset.located = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    form.submit();
  }

  function locateThenSend(event) {
    var form = event.currentTarget;
    if (form.dataset.located === "1") {
      return;
    }
    event.preventDefault();
    if (!("geolocation" in navigator)) {
      setStatus(form, form.dataset.denied);
      send(form);
      return;
    }
    setStatus(form, form.dataset.locating);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        fill(form, "latitude", position.coords.latitude.toFixed(6));
        fill(form, "longitude", position.coords.longitude.toFixed(6));
        fill(form, "accuracy", Math.round(position.coords.accuracy));
        send(form);
      },
      function () {
        fill(form, "latitude", "");
        fill(form, "longitude", "");
        fill(form, "accuracy", "");
        setStatus(form, form.dataset.denied);
        send(form);
      },
      {
        enableHighAccuracy: true,
        timeout: 15000,
        maximumAge: Number(form.dataset.maxAge || 0),
      }
    );
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-geolocate]").forEach(function (form) {
      form.addEventListener("submit", locateThenSend);
    });
  });
})();
