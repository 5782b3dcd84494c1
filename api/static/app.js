// Vorlagen-Assistent web UI: plain JavaScript, no build step.
"use strict";

const KEY_STORAGE = "vorlagen-api-key";
const SESSION_STORAGE = "vorlagen-chat-session";

// ---------------------------------------------------------------- helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || "";
}

function authHeaders(extra = {}) {
  const key = apiKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

async function errorText(response) {
  try {
    const body = await response.json();
    if (body.errors && body.errors.length) {
      return `${body.detail} ${body.errors.map((e) => `${e.feld}: ${e.meldung}`).join("; ")}`;
    }
    return body.detail || `Fehler ${response.status}`;
  } catch {
    return `Fehler ${response.status}`;
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: authHeaders(options.headers || {}) });
  if (!response.ok) throw new Error(await errorText(response));
  if (response.status === 204) return null;
  return response.json();
}

function formatDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-");
  return `${d}.${m}.${y}`;
}

function filtersFrom(form) {
  const value = (name) => (form.elements[name] ? form.elements[name].value.trim() : "");
  const filters = {};
  if (value("stadt")) filters.stadt = value("stadt");
  if (value("vorlagenart")) filters.vorlagenart = value("vorlagenart");
  if (value("jahr_von")) filters.jahr_von = Number(value("jahr_von"));
  if (value("jahr_bis")) filters.jahr_bis = Number(value("jahr_bis"));
  return Object.keys(filters).length ? filters : null;
}

async function fillFilterOptions() {
  const staedte = document.getElementById("staedte");
  const arten = document.getElementById("vorlagenarten");
  if (!staedte && !arten) return;
  try {
    const documents = await api("/v1/documents");
    const unique = (key) => [...new Set(documents.map((d) => d[key]).filter(Boolean))].sort();
    if (staedte) staedte.replaceChildren(...unique("stadt").map((v) => el("option", { value: v })));
    if (arten) arten.replaceChildren(...unique("vorlagenart").map((v) => el("option", { value: v })));
  } catch {
    // without a key the lists stay empty; the fields still accept free text
  }
}

// Server-sent events over fetch (EventSource cannot POST): yields {event, data}.
async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let boundary;
    while ((boundary = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (!data.length) continue;
      let parsed = data.join("\n");
      try { parsed = JSON.parse(parsed); } catch { /* plain text */ }
      yield { event, data: parsed };
    }
  }
}

// ---------------------------------------------------------------- citations and passages

function citationLabel(c) {
  return c.drucksache || c.title || c.source_name;
}

function citationChips(citations, container) {
  container.replaceChildren();
  if (!citations.length) return;
  container.append(el("span", { class: "chips-label" }, "Belege:"));
  for (const c of citations) {
    const details = [citationLabel(c), c.section ? `Abschnitt „${c.section}“` : null, c.page ? `S. ${c.page}` : null]
      .filter(Boolean).join(", ");
    container.append(
      el("button", {
        type: "button",
        class: "chip",
        "data-doc": c.doc_id,
        "data-chunk": c.chunk_id,
        "aria-label": `Beleg ${c.index} öffnen: ${details}`,
        title: details,
        onclick: (event) => openPassage(c, event.currentTarget),
      }, el("span", { class: "chip-number" }, String(c.index)), " ", citationLabel(c)),
    );
  }
}

let lastOpener = null;

async function openPassage(citation, opener) {
  const dialog = document.getElementById("passage-dialog");
  const body = document.getElementById("passage-body");
  const meta = document.getElementById("passage-meta");
  lastOpener = opener;
  document.getElementById("passage-title").textContent = `Beleg ${citation.index}: ${citationLabel(citation)}`;
  meta.textContent = "Lade …";
  body.replaceChildren();
  if (!dialog.open) dialog.showModal();
  const url = `/v1/documents/${encodeURIComponent(citation.doc_id)}/passages/${encodeURIComponent(citation.chunk_id)}`
    + `?quote=${encodeURIComponent(citation.quote.slice(0, 4000))}`;
  try {
    const p = await api(url);
    meta.textContent = [p.source_name, p.title, p.section ? `Abschnitt „${p.section}“` : null, p.page ? `Seite ${p.page}` : null]
      .filter(Boolean).join(" · ");
    const chunk = el("span", { class: "passage-chunk" });
    if (p.highlight_start !== null && p.highlight_start !== undefined) {
      const mark = el("mark", { id: "passage-quote" }, p.text.slice(p.highlight_start, p.highlight_end));
      chunk.append(p.text.slice(0, p.highlight_start), mark, p.text.slice(p.highlight_end));
    } else {
      chunk.append(p.text);
    }
    body.append(
      p.before ? el("span", { class: "passage-context" }, "… ", p.before) : "",
      chunk,
      p.after ? el("span", { class: "passage-context" }, p.after, " …") : "",
    );
    const mark = document.getElementById("passage-quote");
    if (mark) mark.scrollIntoView({ block: "center" });
  } catch (error) {
    meta.textContent = `Die Belegstelle konnte nicht geladen werden: ${error.message}`;
  }
}

function openLinkedPassage() {
  // Links from the Teams bot („Im Browser öffnen“): /#dokument=…&abschnitt=…&zitat=…&nr=…
  const params = new URLSearchParams(location.hash.slice(1));
  const doc = params.get("dokument"), chunk = params.get("abschnitt");
  if (!doc || !chunk) return;
  openPassage({ index: params.get("nr") || "", doc_id: doc, chunk_id: chunk, quote: params.get("zitat") || "",
    source_name: params.get("name") || doc }, null);
}

function setupDialog() {
  const dialog = document.getElementById("passage-dialog");
  document.getElementById("passage-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { if (lastOpener) lastOpener.focus(); });
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
}

// ---------------------------------------------------------------- chat

function chatSession() {
  let session = sessionStorage.getItem(SESSION_STORAGE);
  if (!session) {
    session = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now() + Math.random())).replace(/[^A-Za-z0-9_-]/g, "");
    sessionStorage.setItem(SESSION_STORAGE, session);
  }
  return session;
}

function setupChat() {
  const form = document.getElementById("ask-form");
  if (!form) return;
  const question = document.getElementById("question");
  const status = document.getElementById("ask-status");
  const conversation = document.getElementById("conversation");
  const button = document.getElementById("ask-button");

  question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
  document.getElementById("new-chat").addEventListener("click", async () => {
    const old = chatSession();
    sessionStorage.removeItem(SESSION_STORAGE);
    conversation.replaceChildren();
    status.textContent = "Neues Gespräch begonnen.";
    try { await api(`/v1/chat/${old}`, { method: "DELETE" }); } catch { /* history stays; harmless */ }
    question.focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text) { status.textContent = "Bitte eine Frage eingeben."; question.focus(); return; }
    button.disabled = true;
    status.textContent = "Antwort wird erstellt …";

    const answerText = el("div", { class: "answer-text", "aria-busy": "true" });
    const chips = el("div", { class: "chips", role: "group", "aria-label": "Belege" });
    const notices = el("ul", { class: "notices" });
    const turn = el("article", { class: "turn card" },
      el("h2", { class: "question" }, text), answerText, chips, notices);
    conversation.prepend(turn);

    try {
      const response = await fetch(`/v1/chat/${chatSession()}/stream`, {
        method: "POST",
        headers: authHeaders({ "Content-Type": "application/json", Accept: "text/event-stream" }),
        body: JSON.stringify({ question: text, filters: filtersFrom(form) }),
      });
      if (!response.ok) throw new Error(await errorText(response));
      for await (const { event: type, data } of readEvents(response)) {
        if (type === "token") answerText.append(typeof data === "string" ? data : data.text || "");
        else if (type === "notice") notices.append(el("li", {}, typeof data === "string" ? data : data.text || JSON.stringify(data)));
        else if (type === "citations") citationChips(data || [], chips);
        else if (type === "answer") {
          renderAnswer(answerText, data);
          if (data.citations) citationChips(data.citations, chips);
          if (data.refused) turn.classList.add("refused");
          if (data.unsure && !data.refused) turn.classList.add("unsure");
          if (data.mode) turn.append(el("p", { class: "answer-mode meta" }, `Modus: ${data.mode}`));
        } else if (type === "error") throw new Error(data.detail || "Unbekannter Fehler");
      }
      status.textContent = "Antwort vollständig.";
    } catch (error) {
      notices.append(el("li", { class: "error" }, error.message));
      status.textContent = `Fehler: ${error.message}`;
    } finally {
      answerText.setAttribute("aria-busy", "false");
      button.disabled = false;
    }
  });
}

// The direct answer first (large), then the supporting quotes; a list question's Vorlagen as a table.
function renderAnswer(container, answer) {
  container.replaceChildren();
  const lines = (answer.text || "").split("\n");
  const short = answer.short_answer || lines[0] || "";
  const rest = answer.short_answer && lines[0] === answer.short_answer ? lines.slice(1) : lines.slice(short === lines[0] ? 1 : 0);
  const shortAnswer = el("p", { class: answer.refused ? "short-answer refused" : "short-answer" }, short);
  // the verifier is unsure of a value (or of a calculation's input): say so at the answer; the notice below names it
  if (answer.unsure && !answer.refused) {
    shortAnswer.append(" ", el("span", { class: "unsure-badge", title: "Das Prüfmodell ist bei einem Wert dieser Antwort unsicher – siehe Hinweis unten." }, "bitte prüfen"));
  }
  container.append(shortAnswer);
  if (answer.decision) { container.append(renderTimeline(answer.decision)); return; }  // timeline.js
  if (answer.vorlagen && answer.vorlagen.length) {
    if (answer.refused) container.append(el("p", { class: "nearest-caption" }, "Am nächsten kommen diese Vorlagen (sie beantworten die Frage nicht sicher):"));
    const rows = answer.vorlagen.map((v, i) => el("tr", {},
      el("td", {}, `[${i + 1}]`),
      el("td", {}, v.drucksache || v.source_name),
      el("td", {}, v.datum ? new Date(v.datum).toLocaleDateString("de-DE", { day: "2-digit", month: "2-digit", year: "numeric" }) : "–"),
      el("td", {}, v.title || ""),
      el("td", {}, (v.gremien || []).slice(0, 3).join(", ")),
      el("td", { class: "snippet" }, v.snippet)));
    container.append(el("table", { class: "vorlagen-list" },
      el("thead", {}, el("tr", {}, ...["", "Drucksache", "Datum", "Titel", "Gremien", "Auszug"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows)));
    return;
  }
  const quotes = rest.filter((line) => line.trim());
  if (quotes.length) container.append(el("div", { class: "answer-quotes" }, ...quotes.map((line) => el("p", {}, line))));
}

// ---------------------------------------------------------------- draft

function setupDraft() {
  const form = document.getElementById("draft-form");
  if (!form) return;
  const status = document.getElementById("draft-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const section = form.elements.section.value.trim();
    const topic = form.elements.topic.value.trim();
    if (!section || !topic) { status.textContent = "Bitte Abschnitt und Thema angeben."; return; }
    status.textContent = "Entwurf wird erstellt …";
    document.getElementById("draft-button").disabled = true;
    try {
      const result = await api("/v1/draft", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ section, topic, filters: filtersFrom(form) }),
      });
      const box = document.getElementById("draft-result");
      document.getElementById("draft-text").textContent = result.draft.text;
      citationChips(result.draft.citations, document.getElementById("draft-citations"));
      document.getElementById("draft-notices").replaceChildren(...result.draft.notices.map((n) => el("li", {}, n)));
      const link = document.getElementById("draft-download");
      link.dataset.url = result.docx_url;
      box.hidden = false;
      status.textContent = "Entwurf erstellt.";
      document.getElementById("draft-result-title").focus?.();
    } catch (error) {
      status.textContent = `Fehler: ${error.message}`;
    } finally {
      document.getElementById("draft-button").disabled = false;
    }
  });
  // the download needs the API key header, so it goes through fetch and a blob
  document.getElementById("draft-download").addEventListener("click", async (event) => {
    event.preventDefault();
    const url = event.currentTarget.dataset.url;
    try {
      const response = await fetch(url, { headers: authHeaders() });
      if (!response.ok) throw new Error(await errorText(response));
      const blob = await response.blob();
      const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      const link = el("a", { href: URL.createObjectURL(blob), download: match ? match[1] : "Entwurf.docx" });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      status.textContent = `Download fehlgeschlagen: ${error.message}`;
    }
  });
}

// ---------------------------------------------------------------- documents

const JOB_FINAL = new Set(["fertig", "fehlgeschlagen"]);

function renderJob(job) {
  const id = `job-${job.job_id}`;
  const text = `${job.filename}: ${job.status}${job.message ? ` – ${job.message}` : ""}`;
  let item = document.getElementById(id);
  if (!item) {
    item = el("li", { id });
    document.getElementById("jobs").prepend(item);
  }
  item.textContent = text;
  item.dataset.status = job.status;
  item.className = `job job-${job.status === "fehlgeschlagen" ? "failed" : job.status === "fertig" ? "done" : "running"}`;
}

async function pollJob(jobId) {
  for (;;) {
    const job = await api(`/v1/documents/jobs/${jobId}`);
    renderJob(job);
    if (JOB_FINAL.has(job.status)) { if (job.status === "fertig") loadDocuments(); return job; }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function loadDocuments() {
  const tbody = document.querySelector("#documents-table tbody");
  const status = document.getElementById("documents-status");
  try {
    const documents = await api("/v1/documents");
    status.textContent = `${documents.length} Dokumente.`;
    tbody.replaceChildren(...documents.map((d) => el("tr", {},
      el("td", {}, d.source_name), el("td", {}, d.drucksache || ""), el("td", {}, d.title || ""),
      el("td", {}, formatDate(d.datum)), el("td", {}, d.vorlagenart || ""), el("td", {}, d.stadt || ""),
      el("td", { class: "number" }, d.chunks.toLocaleString("de-DE")),
      el("td", {}, el("button", {
        type: "button", class: "danger", "aria-label": `${d.source_name} löschen`,
        onclick: async () => {
          if (!confirm(`„${d.source_name}“ wirklich aus dem Index löschen?`)) return;
          try {
            await api(`/v1/documents/${encodeURIComponent(d.doc_id)}`, { method: "DELETE" });
            status.textContent = `„${d.source_name}“ gelöscht.`;
            loadDocuments();
          } catch (error) { status.textContent = `Löschen fehlgeschlagen: ${error.message}`; }
        },
      }, "Löschen")),
    )));
  } catch (error) {
    status.textContent = `Dokumente konnten nicht geladen werden: ${error.message}`;
  }
}

function setupDocuments() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = document.getElementById("upload-file");
  const progress = document.getElementById("upload-progress");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) { renderJob({ job_id: "hinweis", filename: "Keine Datei", status: "fehlgeschlagen", message: "Bitte eine Datei auswählen." }); return; }
    const maxMb = Number(input.dataset.maxMb);
    if (file.size > maxMb * 1024 * 1024) {
      renderJob({ job_id: `local-${Date.now()}`, filename: file.name, status: "fehlgeschlagen", message: `Die Datei ist größer als ${maxMb} MB.` });
      return;
    }
    // XMLHttpRequest: fetch reports no upload progress
    const request = new XMLHttpRequest();
    request.open("POST", "/v1/documents");
    const key = apiKey();
    if (key) request.setRequestHeader("Authorization", `Bearer ${key}`);
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) { progress.value = Math.round((e.loaded / e.total) * 100); progress.textContent = `${progress.value} %`; }
    });
    request.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(request.responseText); } catch { /* empty */ }
      if (request.status === 202) {
        progress.value = 100;
        renderJob(body);
        pollJob(body.job_id).catch((error) => renderJob({ ...body, status: "fehlgeschlagen", message: error.message }));
        form.reset();
      } else {
        renderJob({ job_id: `local-${Date.now()}`, filename: file.name, status: "fehlgeschlagen", message: body.detail || `Fehler ${request.status}` });
      }
    });
    request.addEventListener("error", () => renderJob({ job_id: `local-${Date.now()}`, filename: file.name, status: "fehlgeschlagen", message: "Verbindung abgebrochen." }));
    const data = new FormData();
    data.append("file", file);
    progress.value = 0;
    request.send(data);
  });
  loadDocuments();
  api("/v1/documents/jobs").then((jobs) => jobs.reverse().forEach(renderJob)).catch(() => {});
}

// ---------------------------------------------------------------- start

function setupApiKey() {
  const form = document.getElementById("api-key-form");
  const input = document.getElementById("api-key");
  const hint = document.getElementById("api-key-hint");
  // the login URL of "vorlagen serve" (http://127.0.0.1:8000/#schluessel=…): the fragment never
  // reaches the server or its log; the key goes to this tab's storage and leaves the address bar
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get("schluessel");
  if (fromUrl) {
    sessionStorage.setItem(KEY_STORAGE, fromUrl);
    history.replaceState(null, "", location.pathname + location.search);
  }
  input.value = apiKey();
  hint.textContent = apiKey() ? "Schlüssel gesetzt." : "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, input.value.trim());
    hint.textContent = input.value.trim() ? "Schlüssel gesetzt." : "Schlüssel entfernt.";
    fillFilterOptions();
    if (document.getElementById("documents-table")) loadDocuments();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupApiKey();
  setupDialog();
  setupChat();
  setupDraft();
  setupDocuments();
  fillFilterOptions();
  openLinkedPassage();
});
