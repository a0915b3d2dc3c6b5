// SkillCert exam page. It speaks the JSON contract of /api/v1/exam/ (exams/api.py):
// the server's clock rules, every answer is saved on change with a growing sequence
// number, and answers not yet acknowledged are kept in this browser's storage so a
// reload, a crash or a lost connection never loses them.
(function () {
  "use strict";
  const app = document.getElementById("exam-app");
  const API = app.dataset.api;
  const T = JSON.parse(document.getElementById("exam-texts").textContent);
  const TOKEN_KEY = "skillcert.exam.token";
  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => values[k]);

  let token = localStorage.getItem(TOKEN_KEY);
  let paper = null; // {items, status, ...}
  let current = 1;
  const answers = {}; // position -> {answer, seq, acked}
  let pending = {}; // position -> {answer, seq}: not yet acknowledged
  let deadlineAt = 0; // performance.now() when the server's time is up
  let status = "";
  let sending = false;
  let retryDelay = 1000;
  let hiddenSince = 0;

  const pendingKey = () => "skillcert.exam.pending." + token;
  const storePending = () => localStorage.setItem(pendingKey(), JSON.stringify(pending));

  function show(view) {
    for (const id of ["login-view", "exam-view", "end-view"]) $(id).hidden = id !== view;
  }

  async function call(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    return { status: response.status, data };
  }

  // ------------------------------------------------------------ sign-in

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").hidden = true;
    $("login-button").setAttribute("aria-busy", "true");
    try {
      const result = await call("POST", "/login", {
        admission_number: $("admission-number").value.trim(),
        id_number: $("id-number").value.trim(),
      });
      if (result.status === 200) {
        token = result.data.token;
        localStorage.setItem(TOKEN_KEY, token);
        await load();
      } else {
        $("login-error").textContent = (result.data && result.data.detail) || T.network;
        $("login-error").hidden = false;
      }
    } catch (_e) {
      $("login-error").textContent = T.network;
      $("login-error").hidden = false;
    } finally {
      $("login-button").removeAttribute("aria-busy");
    }
  });

  function signOut() {
    localStorage.removeItem(TOKEN_KEY);
    token = null;
    show("login-view");
  }

  // ------------------------------------------------------------ the paper

  async function load() {
    let result;
    try {
      result = await call("GET", "/attempt");
    } catch (_e) {
      setTimeout(load, 3000); // the server is unreachable: keep trying, keep answers
      return;
    }
    if (result.status === 401) return signOut();
    if (result.status !== 200) {
      setTimeout(load, 3000); // a server error: keep the token and the answers, try again
      return;
    }
    const built = paper !== null;
    paper = result.data;
    pending = JSON.parse(localStorage.getItem(pendingKey()) || "{}");
    for (const a of paper.answers) {
      const known = answers[a.position];
      if (known && known.seq > a.seq) known.acked = Math.max(known.acked, a.seq);
      else answers[a.position] = { answer: a.answer, seq: a.seq, acked: a.seq };
    }
    for (const [position, p] of Object.entries(pending)) {
      const known = answers[position];
      if (known && known.acked >= p.seq) delete pending[position];
      else answers[position] = { answer: p.answer, seq: p.seq, acked: known ? known.acked : 0 };
    }
    storePending();
    $("exam-session").textContent = paper.session;
    $("exam-seat").textContent = paper.seat_number;
    applyStatus(paper.status, paper.remaining_seconds);
    if (isOpen()) {
      show("exam-view");
      if (!built) {
        buildGrid();
        render(current);
      }
      flush();
    }
  }

  const isOpen = () => status === "in_progress" || status === "paused";

  function applyStatus(newStatus, remaining) {
    status = newStatus;
    if (typeof remaining === "number") deadlineAt = performance.now() + remaining * 1000;
    const notice = $("exam-notice");
    notice.hidden = status !== "paused";
    notice.textContent = status === "paused" ? T.paused : "";
    if (!isOpen()) finish();
    setDisabled(status !== "in_progress");
  }

  function finish() {
    show("end-view");
    $("end-title").textContent = T.ended;
    $("end-text").textContent = T[status] || T.ended;
    localStorage.removeItem(pendingKey());
    localStorage.removeItem(TOKEN_KEY);
  }

  function buildGrid() {
    const grid = $("item-grid");
    grid.replaceChildren();
    for (const item of paper.items) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = item.position;
      button.dataset.position = item.position;
      button.addEventListener("click", () => render(item.position));
      grid.appendChild(button);
    }
    paintGrid();
  }

  function answered(position) {
    const a = answers[position];
    if (!a || a.answer === null || a.answer === undefined) return false;
    return Array.isArray(a.answer) ? a.answer.length > 0 : (a.answer.text || "").trim() !== "";
  }

  function paintGrid() {
    for (const button of $("item-grid").children) {
      const position = Number(button.dataset.position);
      button.classList.toggle("answered", answered(position));
      button.classList.toggle("current", position === current);
    }
  }

  function render(position) {
    current = position;
    const item = paper.items[position - 1];
    $("item-title").textContent = fmt(T.item, { n: position }) + " · " + T["type_" + item.type];
    $("item-points").textContent = fmt(T.points, { points: item.points });
    $("item-stem").textContent = item.stem;
    const box = $("item-input");
    box.replaceChildren();
    const chosen = (answers[position] && answers[position].answer) || [];
    if (item.type === "short_answer") {
      const area = document.createElement("textarea");
      area.rows = 8;
      area.name = "answer-" + position;
      area.value = (chosen && chosen.text) || "";
      let timer = 0;
      area.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => change(position, { text: area.value }), 600);
      });
      area.addEventListener("blur", () => { clearTimeout(timer); change(position, { text: area.value }); });
      box.appendChild(area);
    } else {
      const multiple = item.type === "multiple";
      const options = item.type === "true_false"
        ? [{ key: "T", text: T.true }, { key: "F", text: T.false }]
        : item.options;
      options.forEach((option, index) => {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.type = multiple ? "checkbox" : "radio";
        input.name = "answer-" + position;
        input.value = option.key;
        input.checked = Array.isArray(chosen) && chosen.includes(option.key);
        input.addEventListener("change", () => {
          const picked = [...box.querySelectorAll("input:checked")].map((i) => i.value);
          change(position, picked);
        });
        const letter = item.type === "true_false" ? "" : String.fromCharCode(65 + index) + ". ";
        label.append(input, " " + letter + option.text);
        box.appendChild(label);
      });
    }
    $("prev-item").disabled = position <= 1;
    $("next-item").disabled = position >= paper.items.length;
    setDisabled(status !== "in_progress");
    paintGrid();
  }

  function setDisabled(disabled) {
    for (const input of $("item-input").querySelectorAll("input, textarea")) input.disabled = disabled;
    $("submit-exam").disabled = disabled;
  }

  $("prev-item").addEventListener("click", () => render(Math.max(1, current - 1)));
  $("next-item").addEventListener("click", () => render(Math.min(paper.items.length, current + 1)));

  // ------------------------------------------------------------ saving

  function change(position, answer) {
    if (status !== "in_progress") return;
    const known = answers[position] || { seq: 0, acked: 0 };
    const seq = Math.max(known.seq, known.acked) + 1;
    answers[position] = { answer, seq, acked: known.acked };
    pending[position] = { answer, seq };
    storePending(); // kept before it is sent: a crash now loses nothing
    paintGrid();
    flush();
  }

  async function flush() {
    if (sending || !token) return;
    sending = true;
    try {
      while (status === "in_progress" && Object.keys(pending).length) {
        const position = Object.keys(pending)[0];
        const { answer, seq } = pending[position];
        $("save-state").textContent = T.saving;
        let result;
        try {
          result = await call("PUT", "/attempt/answers/" + position, { answer, seq });
        } catch (_e) {
          $("save-state").textContent = T.offline;
          setTimeout(flush, retryDelay);
          retryDelay = Math.min(retryDelay * 2, 15000);
          return;
        }
        retryDelay = 1000;
        if (result.status === 200 || (result.status === 409 && result.data.code === "stale_seq")) {
          // Acknowledged (or the server already holds this or a newer write).
          const acked = result.data.seq;
          answers[position].acked = Math.max(answers[position].acked, acked);
          if (pending[position] && pending[position].seq <= acked) delete pending[position];
          storePending();
          if (result.status === 200) applyStatus("in_progress", result.data.remaining_seconds);
        } else if (result.status === 401) {
          return signOut();
        } else if (result.status === 409) {
          return load(); // paused or closed: the server says which
        } else if (result.status !== 400) {
          // A server or proxy error: the answer stays pending and goes out again.
          $("save-state").textContent = T.offline;
          setTimeout(flush, retryDelay);
          retryDelay = Math.min(retryDelay * 2, 15000);
          return;
        } else {
          delete pending[position]; // refused as malformed: nothing to retry
          storePending();
        }
      }
      if (!Object.keys(pending).length) $("save-state").textContent = T.saved;
    } finally {
      sending = false;
    }
  }

  $("submit-exam").addEventListener("click", async () => {
    const missing = paper.items.filter((i) => !answered(i.position)).length;
    const question = (missing ? fmt(T.unanswered, { n: missing }) + "\n" : "") + T.confirm_submit;
    if (!window.confirm(question)) return;
    await flush();
    if (Object.keys(pending).length) return; // still offline: answers stay, try again
    const result = await call("POST", "/attempt/submit").catch(() => null);
    if (result && result.status === 200) applyStatus(result.data.status, 0);
    else if (result && result.status !== 200) load();
  });

  // ------------------------------------------------------------ the clock and the log

  function tick() {
    if (paper && isOpen()) {
      const left = status === "paused" ? null : Math.max(0, Math.round((deadlineAt - performance.now()) / 1000));
      if (left !== null) {
        const m = Math.floor(left / 60), s = left % 60;
        $("countdown").textContent = String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
        $("countdown").classList.toggle("low", left <= 300);
        if (left === 0 && status === "in_progress" && $("exam-notice").textContent !== T.time_up) {
          // The server closes the attempt itself; the page only stops editing and
          // asks the server what happened.
          setDisabled(true);
          $("exam-notice").textContent = T.time_up;
          $("exam-notice").hidden = false;
          setTimeout(load, 2000);
        }
      }
    }
  }
  setInterval(tick, 500);
  setInterval(() => { if (paper && isOpen()) load(); }, 60000); // resync time and state

  function report(kind, detail) {
    if (token && paper && isOpen()) call("POST", "/attempt/events", { kind, detail }).catch(() => {});
  }
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      hiddenSince = Date.now();
      report("focus_lost", {});
    } else if (hiddenSince) {
      report("focus_back", { hidden_ms: Date.now() - hiddenSince });
      hiddenSince = 0;
    }
  });
  window.addEventListener("online", () => { report("reconnect", {}); flush(); });

  if (token) load(); else show("login-view");
})();
