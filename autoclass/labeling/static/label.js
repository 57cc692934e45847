// The labeling page of `autoclass label`: one page at a time, labeled with the keyboard.
// Everything that matters is on the server's disk: accepting a page posts its labels,
// and the server appends them to the output before answering.
"use strict";

(function () {
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  const rows = document.querySelector("#lines tbody");
  const message = document.getElementById("message");
  let state = null; // what /api/state returned
  let labels = []; // one {relevant, event, body, remembered} per line of the current page
  let cursor = 0;
  let busy = false;

  async function api(path, body) {
    const init = { method: body ? "POST" : "GET", headers: { "X-Autoclass-Token": token } };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const data = await response.json();
    if (!response.ok) {
      const error = new Error(data.error || response.statusText);
      error.state = data.state;
      throw error;
    }
    return data;
  }

  function say(text) {
    message.textContent = text || "";
  }

  function keyOf(event) {
    for (const [key, name] of Object.entries(state.keys)) {
      if (name === event) return key;
    }
    return "";
  }

  function load(next) {
    state = next;
    const page = state.page;
    labels = page
      ? page.lines.map((line) => ({
          relevant: line.relevant,
          event: line.event,
          body: line.body,
          remembered: line.event || (line.model && line.model.event) || state.event_types[0],
        }))
      : [];
    cursor = 0;
    render();
  }

  function render() {
    const page = state.page;
    document.getElementById("counter").textContent = `${state.done} / ${state.total} pages done`;
    document.getElementById("page-id").textContent = page
      ? `page ${state.index + 1}: ${page.article_id}${page.site ? " (" + page.site + ")" : ""}`
      : "";
    renderLegend();
    rows.replaceChildren();
    const finished = document.getElementById("finished");
    finished.hidden = Boolean(page);
    if (!page) {
      finished.textContent =
        `All ${state.total} pages are labeled, in ${state.output}. ` +
        "You can close this tab and stop autoclass label (Ctrl-C).";
      document.body.dataset.page = "";
      document.body.dataset.done = String(state.done);
      return;
    }
    page.lines.forEach((line, i) => rows.appendChild(makeRow(i)));
    moveTo(0);
    document.body.dataset.page = page.article_id;
    document.body.dataset.done = String(state.done);
  }

  function renderLegend() {
    const list = document.getElementById("events");
    if (list.childElementCount) return;
    for (const name of state.event_types) {
      const key = keyOf(name);
      const dt = document.createElement("dt");
      if (key) {
        const kbd = document.createElement("kbd");
        kbd.textContent = key;
        dt.appendChild(kbd);
      }
      const dd = document.createElement("dd");
      dd.textContent = name;
      list.append(dt, dd);
    }
  }

  function cell(className, text) {
    const td = document.createElement("td");
    td.className = className;
    td.textContent = text;
    return td;
  }

  function makeRow(i) {
    const tr = document.createElement("tr");
    tr.addEventListener("click", () => moveTo(i));
    fillRow(tr, i);
    return tr;
  }

  function fillRow(tr, i) {
    const line = state.page.lines[i];
    const label = labels[i];
    const model = line.model;
    let modelText = "";
    if (model) {
      const top = model.event_scores ? model.event_scores[model.event] : null;
      modelText = `relevance ${model.relevance.toFixed(2)}, ${model.event}` + (top == null ? "" : ` ${top.toFixed(2)}`);
    }
    const labelCell = cell("label", label.relevant ? label.event : "not relevant");
    if (label.relevant && keyOf(label.event)) {
      const kbd = document.createElement("kbd");
      kbd.textContent = keyOf(label.event);
      labelCell.prepend(kbd, " ");
    }
    const bodyText = label.relevant ? "yes" : label.body === true ? "story" : label.body === false ? "no" : "?";
    tr.replaceChildren(
      cell("pos", String(line.position)),
      cell("text", line.text),
      labelCell,
      cell("body", bodyText),
      cell("model", modelText),
    );
    const changed =
      label.relevant !== line.relevant ||
      label.event !== line.event ||
      (label.body !== line.body && !(label.relevant && line.relevant));
    tr.className = [
      label.relevant ? "relevant" : label.body ? "story" : "irrelevant",
      changed ? "changed" : "",
      i === cursor ? "current" : "",
    ].join(" ").trim();
    tr.dataset.relevant = String(label.relevant);
    tr.dataset.event = label.event || "";
    tr.dataset.body = String(label.body);
  }

  function moveTo(i) {
    if (!labels.length) return;
    const before = rows.children[cursor];
    cursor = Math.max(0, Math.min(labels.length - 1, i));
    if (before) before.classList.remove("current");
    const row = rows.children[cursor];
    row.classList.add("current");
    row.scrollIntoView({ block: "nearest" });
  }

  function update(i) {
    fillRow(rows.children[i], i);
  }

  function setRelevant(i, relevant) {
    const label = labels[i];
    if (label.relevant && label.event) label.remembered = label.event;
    // A line made not relevant may be a list's headline (not body) or the page's own off-topic
    // story (body): unknown until `b` says; it kept "body" and saved lists as the story.
    if (label.relevant && !relevant) label.body = null;
    label.relevant = relevant;
    label.event = relevant ? label.remembered : null;
    if (relevant) label.body = true;
    update(i);
  }

  function setEvent(i, event) {
    Object.assign(labels[i], { relevant: true, event: event, remembered: event, body: true });
    update(i);
  }

  function toggleBody(i) {
    const label = labels[i];
    if (label.relevant) {
      say("a relevant line is body: make it not relevant first (Space)");
      return;
    }
    // In turn: not body, the page's own story (on another subject), unknown.
    label.body = label.body === null || label.body === undefined ? false : label.body === false ? true : null;
    update(i);
  }

  async function send(path, body) {
    busy = true;
    say("");
    try {
      load(await api(path, body));
    } catch (error) {
      say(error.message);
      if (error.state) load(error.state);
    } finally {
      busy = false;
    }
  }

  function accept() {
    const page = state.page;
    const sent = labels.map((l) => ({ relevant: l.relevant, event: l.relevant ? l.event : null, body: l.body }));
    return send("/api/accept", { article_id: page.article_id, labels: sent });
  }

  document.addEventListener("keydown", (event) => {
    if (!state || !state.page || busy || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    let handled = true;
    if (key === "ArrowDown") moveTo(cursor + 1);
    else if (key === "ArrowUp") moveTo(cursor - 1);
    else if (key === "Home") moveTo(0);
    else if (key === "End") moveTo(labels.length - 1);
    else if (key === " ") setRelevant(cursor, !labels[cursor].relevant);
    else if (key === "b") toggleBody(cursor);
    else if (key === "Enter") accept();
    else if (key === "n") send("/api/skip", { article_id: state.page.article_id });
    else if (Object.prototype.hasOwnProperty.call(state.keys, key)) setEvent(cursor, state.keys[key]);
    else handled = false;
    if (handled) event.preventDefault();
  });

  api("/api/state").then(load, (error) => say(error.message));
})();
