// Vorlagen-Assistent: the Verlauf of a Vorlage (a DecisionChain) as a small timeline; used by the chat
// (answers to „Wie wurde über … entschieden?“) and by the page /verlauf?vorlage=… . No build step.
"use strict";

function timelineNode(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === "") continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function germanDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-");
  return `${d}.${m}.${y}`;
}

function verlaufUrl(docId) {
  return `/verlauf?vorlage=${encodeURIComponent(docId)}`;
}

function paperLabel(paper) {
  return paper.drucksache ? `Drucksache ${paper.drucksache}` : paper.doc_id;
}

function timelineStep(step) {
  const when = step.datum
    ? timelineNode("time", { datetime: step.datum }, germanDate(step.datum))
    : timelineNode("span", { class: "undated" }, "ohne Datum");
  const result = step.ergebnis
    ? timelineNode("strong", { class: "result" }, step.ergebnis)
    : timelineNode("em", { class: "no-result" }, "kein Ergebnis erfasst");
  const item = timelineNode("li", { class: step.differs ? "step differs" : "step" },
    when, " ", step.gremium, step.rolle ? ` (${step.rolle})` : "", ": ", result);
  if (step.minutes) {
    const vote = step.minutes.quote.split(":").slice(1).join(":").replace(/\s+/g, " ").trim();
    item.append(timelineNode("span", { class: "minutes" }, ` – Niederschrift (${step.minutes.label}): „${vote}“`,
      step.minutes.citation ? ` [${step.minutes.citation}]` : ""));
  }
  if (step.differs) item.append(timelineNode("span", { class: "difference", role: "note" }, ` – weicht ab: ${step.difference}`));
  return item;
}

// The chain: each paper (a link to its own Verlauf), its consultations oldest first; notes below.
function renderTimeline(chain) {
  const papers = chain.papers.map((paper) => {
    const heading = paper.indexed
      ? timelineNode("a", { href: verlaufUrl(paper.doc_id), class: "paper-link", "aria-current": paper.asked ? "true" : null },
        paperLabel(paper))
      : timelineNode("span", { class: "paper-missing" }, `${paper.doc_id} (nicht eingelesen)`);
    const head = timelineNode("p", { class: "paper-head" }, heading,
      paper.datum ? ` vom ${germanDate(paper.datum)}` : "", paper.title ? `: ${paper.title}` : "",
      paper.vorlagenart ? ` (${paper.vorlagenart})` : "", paper.citation ? ` [${paper.citation}]` : "");
    const steps = paper.steps.length
      ? timelineNode("ol", { class: "timeline-steps" }, ...paper.steps.map(timelineStep))
      : timelineNode("p", { class: "no-result" }, "Keine Beratung erfasst.");
    return timelineNode("li", { class: paper.asked ? "timeline-paper asked" : "timeline-paper" }, head, steps);
  });
  const section = timelineNode("section", { class: "timeline", "aria-label": "Verlauf der Vorlage" },
    timelineNode("h3", {}, "Verlauf (älteste zuerst)"), timelineNode("ol", { class: "timeline-papers" }, ...papers));
  if (chain.notes && chain.notes.length) {
    section.append(timelineNode("ul", { class: "timeline-notes" }, ...chain.notes.map((note) => timelineNode("li", {}, note))));
  }
  return section;
}

async function setupVerlaufPage() {
  const target = document.getElementById("verlauf");
  if (!target) return;
  const status = document.getElementById("verlauf-status");
  const id = target.dataset.vorlage;
  if (!id) { status.textContent = "Bitte eine Vorlage angeben (?vorlage=Kennung oder Drucksachennummer)."; return; }
  const key = sessionStorage.getItem("vorlagen-api-key") || "";
  try {
    const response = await fetch(`/v1/vorlagen/${encodeURIComponent(id)}/verlauf`,
      { headers: key ? { Authorization: `Bearer ${key}` } : {} });
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail || `Fehler ${response.status}`);
    document.getElementById("verlauf-title").textContent = `Verlauf: ${body.drucksache ? `Drucksache ${body.drucksache}` : body.vorlage_id}`;
    target.replaceChildren(
      timelineNode("p", { class: "short-answer" }, body.short_answer),
      body.title ? timelineNode("p", { class: "meta" }, body.title) : "",
      renderTimeline(body));
    status.textContent = "";
  } catch (error) {
    status.textContent = `Der Verlauf konnte nicht geladen werden: ${error.message}`;
  }
}

document.addEventListener("DOMContentLoaded", setupVerlaufPage);
