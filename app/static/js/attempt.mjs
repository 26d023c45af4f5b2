// The assessment pages, enhanced: time left, answers saved as they change, and a queue on this
// device for answers that could not be sent (offline, server restarting) which is sent when the
// connection returns, also after a reload. Without this file every page still works: each button
// posts the answer. The server decides what is saved and when time is up; this file only asks.

const timer = document.querySelector("[data-module='app-timer']");
const form = document.querySelector("form[data-module='app-answer']");
const submitForm = document.querySelector("form[data-module='app-submit']");

if (timer) {
  const queue = new AnswerQueue(timer.dataset.attempt, timer.dataset.csrf, timer.dataset.resumeUrl);
  startTimer(timer, queue);
  if (form) enhanceAnswer(form, queue);
  if (submitForm) holdUntilSent(submitForm, queue, () => {});
  queue.flush();
}

// --- The queue: one entry per question, the newest answer only --------------------------------

function AnswerQueue(attempt, csrf, resumeUrl) {
  const key = `kss-attempt-${attempt}-unsent`;
  const listeners = [];
  let sending = null;
  let retry = null;

  const read = () => {
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch { return {}; }
  };
  const write = (entries) => {
    try { localStorage.setItem(key, JSON.stringify(entries)); } catch { /* private mode: memory only */ }
    memory = entries;
  };
  let memory = read();
  const entries = () => ({ ...memory, ...read() });

  this.put = (position, entry) => {
    write({ ...entries(), [position]: entry });
    this.flush();
  };
  this.get = (position) => entries()[position];
  this.pending = () => Object.keys(entries()).length;
  this.onChange = (listener) => listeners.push(listener);
  const tell = (event) => listeners.forEach((listener) => listener(event));

  const sendOne = async (position, entry) => {
    let response;
    try {
      response = await fetch(entry.url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ answer: entry.answer, flagged: entry.flagged, revision: entry.revision }),
      });
    } catch {
      return { kind: "offline" };
    }
    if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) return { kind: "signed-out" };
    if (response.status >= 500) return { kind: "offline" };
    let body = {};
    try { body = await response.json(); } catch { return { kind: "offline" }; }
    if (response.ok) return { kind: "saved", position, body };
    if (response.status === 409 && "revision" in body) return { kind: "newer-elsewhere", position, body };
    if (response.status === 409) return { kind: "closed", position, body };
    return { kind: "refused", position, body };
  };

  this.flush = () => {
    if (sending) return sending;
    sending = (async () => {
      clearTimeout(retry);
      for (const [position, entry] of Object.entries(entries())) {
        const outcome = await sendOne(position, entry);
        if (outcome.kind === "offline" || outcome.kind === "signed-out") {
          tell(outcome);
          if (outcome.kind === "offline") retry = setTimeout(() => this.flush(), 5000);
          return false;
        }
        const now = entries();
        if (now[position] && now[position].revision === entry.revision) {
          delete now[position];
          write(now);
        }
        tell(outcome);
        if (outcome.kind === "closed" && outcome.body.submitted) {
          window.location.assign(outcome.body.next || resumeUrl);
          return false;
        }
      }
      return this.pending() === 0;
    })().finally(() => { sending = null; });
    return sending;
  };
  window.addEventListener("online", () => this.flush());
}

// --- One question: read the answer, queue it, show whether it is saved -----------------------

function enhanceAnswer(form, queue) {
  const position = form.dataset.position;
  const revisionInput = form.querySelector("[data-revision]");
  const status = form.querySelector("[data-save-status]");
  let revision = Number(revisionInput.value) - 1; // the stored revision when the page was made
  const say = (text) => { if (status.textContent !== text) status.textContent = text; };

  const readAnswer = () => {
    const ranks = [...form.querySelectorAll("select[data-rank]")];
    if (ranks.length) {
      const chosen = ranks.filter((select) => select.value);
      if (chosen.length === 0) return [];
      const values = new Set(chosen.map((select) => select.value));
      if (chosen.length !== ranks.length || values.size !== ranks.length) return null;
      return [...ranks].sort((a, b) => Number(a.value) - Number(b.value)).map((select) => select.dataset.rank);
    }
    return [...form.querySelectorAll("input[name='answer']:checked")].map((input) => input.value);
  };
  const flagged = () => form.querySelector("input[name='flagged']").checked;
  const show = (answer, isFlagged) => {
    const ranks = [...form.querySelectorAll("select[data-rank]")];
    ranks.forEach((select) => { const at = answer.indexOf(select.dataset.rank); select.value = at < 0 ? "" : String(at + 1); });
    form.querySelectorAll("input[name='answer']").forEach((input) => { input.checked = answer.includes(input.value); });
    form.querySelector("input[name='flagged']").checked = isFlagged;
  };

  // An answer kept on this device from before a reload or a lost connection wins over the page.
  const kept = queue.get(position);
  if (kept && kept.revision > revision) {
    show(kept.answer, kept.flagged);
    revision = kept.revision;
    revisionInput.value = String(revision);
    say("Not saved yet. Your answer is kept on this device and will be sent when the connection returns.");
  }

  form.addEventListener("change", () => {
    const answer = readAnswer();
    if (answer === null) {
      say("Not saved yet: give each option a different rank to save this answer.");
      return;
    }
    revision += 1;
    revisionInput.value = String(revision);
    say("Saving…");
    queue.put(position, { url: form.dataset.saveUrl, answer, flagged: flagged(), revision });
  });

  queue.onChange((outcome) => {
    if (outcome.kind === "offline") {
      say("Not saved yet. You appear to be offline: your answer is kept on this device and will be saved when the connection returns.");
    } else if (outcome.kind === "signed-out") {
      say("Not saved yet: you have been signed out. Sign in again in another tab, then come back: your answer is kept on this device.");
    } else if (outcome.position !== position) {
      return;
    } else if (outcome.kind === "saved") {
      if (queue.get(position) === undefined) say("Saved");
    } else if (outcome.kind === "newer-elsewhere") {
      show(outcome.body.answer, outcome.body.flagged);
      revision = outcome.body.revision;
      revisionInput.value = String(revision + 1);
      say("This answer was changed in another window or tab. The answer shown is the one saved.");
    } else {
      say(`Not saved: ${outcome.body.error || "the answer was refused"}`);
    }
  });

  holdUntilSent(form, queue, say);
}

// Moving on (a normal form post) waits until queued answers are sent, so that an answer is never
// left behind on this device when the page changes. Offline, the candidate stays where they are.
function holdUntilSent(target, queue, say) {
  let released = false;
  target.addEventListener("submit", async (event) => {
    if (released || queue.pending() === 0) return;
    event.preventDefault();
    const submitter = event.submitter;
    if (await queue.flush()) {
      released = true;
      target.requestSubmit(submitter);
    } else {
      say("You appear to be offline. Your answers are kept on this device; you can carry on when the connection returns.");
    }
  });
}

// --- Time left ---------------------------------------------------------------------------------

function startTimer(element, queue) {
  const value = element.querySelector("[data-timer-value]");
  const announce = element.querySelector("[data-timer-announce]");
  const moments = [600, 300, 60]; // announced to screen readers; never every second
  let deadline = performance.now() + Number(element.dataset.secondsLeft) * 1000;
  let lastLeft = Number(element.dataset.secondsLeft);
  let finishing = false;

  const words = (seconds) => {
    if (seconds <= 0) return "none";
    if (seconds < 120) return `${seconds} second${seconds === 1 ? "" : "s"}`;
    const minutes = Math.floor(seconds / 60);
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    return [hours ? `${hours} hour${hours === 1 ? "" : "s"}` : "", rest ? `${rest} minute${rest === 1 ? "" : "s"}` : ""]
      .filter(Boolean).join(" ");
  };

  const tick = () => {
    const left = Math.max(0, Math.round((deadline - performance.now()) / 1000));
    value.textContent = words(left);
    element.classList.toggle("app-timer--low", left <= 300);
    for (const moment of moments) {
      if (lastLeft > moment && left <= moment) announce.textContent = `${words(moment)} left`;
    }
    lastLeft = left;
    if (left === 0 && !finishing) finish();
  };

  const sync = async () => {
    try {
      const response = await fetch(element.dataset.statusUrl, { credentials: "same-origin", redirect: "manual" });
      if (!response.ok) return;
      const body = await response.json();
      if (body.status === "submitted" || body.onBreak) {
        window.location.assign(element.dataset.resumeUrl);
        return;
      }
      deadline = performance.now() + body.secondsLeft * 1000;
    } catch { /* offline: keep counting from the last figure */ }
  };

  // At the deadline: send what is queued, then wait for the server to submit (it allows a short
  // grace period for answers in flight) and show the submitted page.
  const finish = async () => {
    finishing = true;
    announce.textContent = "Time is up. Your saved answers are being submitted.";
    document.querySelectorAll("form[data-module='app-answer'] :is(input, select, button)").forEach((control) => {
      if (control.type !== "hidden") control.disabled = true;
    });
    await queue.flush();
    const poll = setInterval(sync, 5000);
    window.addEventListener("pagehide", () => clearInterval(poll));
  };

  tick();
  setInterval(tick, 1000);
  setInterval(sync, 60000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) sync(); });
}
