// Entwurf page: one line → understood inputs (editable form) → streamed sections → download.
// Uses the helpers of app.js (el, api, authHeaders, errorText, readEvents, citationChips), loaded before.
"use strict";

(function () {
  const ROLES = ["Einbringung", "Vorberatung", "Beschlussfassung", "Kenntnisnahme"];

  // ------------------------------------------------------------ German numbers and dates in the form

  function isoDate(value) {
    const text = (value || "").trim();
    const german = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
    if (german) return `${german[3]}-${german[2].padStart(2, "0")}-${german[1].padStart(2, "0")}`;
    return text || null;
  }

  function germanDate(iso) {
    if (!iso) return "";
    const [y, m, d] = iso.split("-");
    return `${d}.${m}.${y}`;
  }

  function number(value) {
    const text = (value || "").trim().replace(/\s|EUR|€/g, "");
    if (!text) return null;
    return text.includes(",") ? text.replace(/\./g, "").replace(",", ".") : text.replace(/\.(?=\d{3}(\D|$))/g, "");
  }

  function germanNumber(value) {
    return value === null || value === undefined ? "" : String(value).replace(".", ",");
  }

  function lines(value) {
    return (value || "").split("\n").map((line) => line.trim()).filter(Boolean);
  }

  // ------------------------------------------------------------ editable rows

  function input(name, value, label, attrs = {}) {
    return el("td", {}, el("input", { name, value: value ?? "", "aria-label": label, ...attrs }));
  }

  function removeButton(label) {
    return el("td", {}, el("button", { type: "button", class: "remove", "aria-label": label,
      onclick: (event) => event.currentTarget.closest("tr").remove() }, "Entfernen"));
  }

  function addPosition(position = {}) {
    const body = document.querySelector("#e-stellen tbody");
    const n = body.children.length + 1;
    body.append(el("tr", {},
      input("anzahl", position.anzahl ?? 1, `Stelle ${n}: Anzahl`, { inputmode: "numeric", size: 3 }),
      input("gruppe", position.gruppe, `Stelle ${n}: Entgeltgruppe`, { size: 6 }),
      input("vza", germanNumber(position.vza ?? 1), `Stelle ${n}: VZÄ je Stelle`, { size: 4 }),
      input("ab", germanDate(position.ab), `Stelle ${n}: ab`, { placeholder: "TT.MM.JJJJ", size: 10 }),
      input("befristet_bis", germanDate(position.befristet_bis), `Stelle ${n}: befristet bis`, { placeholder: "TT.MM.JJJJ", size: 10 }),
      removeButton(`Stelle ${n} entfernen`)));
  }

  function addStep(step = {}) {
    const body = document.querySelector("#e-beratung tbody");
    const n = body.children.length + 1;
    const role = el("select", { name: "rolle", "aria-label": `Gremium ${n}: Rolle` },
      ...ROLES.map((r) => el("option", { selected: r === step.rolle }, r)));
    body.append(el("tr", {},
      input("gremium", step.gremium, `Gremium ${n}: Name`),
      el("td", {}, role),
      input("datum", germanDate(step.datum), `Gremium ${n}: Datum`, { placeholder: "TT.MM.JJJJ", size: 10 }),
      el("td", {}, el("input", { type: "checkbox", name: "oeffentlich", checked: step.oeffentlich !== false,
        "aria-label": `Gremium ${n}: öffentlich` })),
      removeButton(`Gremium ${n} entfernen`)));
  }

  function addYear(row = {}) {
    const body = document.querySelector("#e-jahreswerte tbody");
    const n = body.children.length + 1;
    body.append(el("tr", {},
      input("jahr", row.jahr, `Jahr ${n}`, { inputmode: "numeric", size: 5 }),
      input("beratertage", germanNumber(row.beratertage), `Jahr ${n}: Beratertage`, { inputmode: "decimal", size: 6 }),
      input("sachkosten", germanNumber(row.sachkosten), `Jahr ${n}: Sachkosten`, { inputmode: "decimal", size: 10 }),
      removeButton(`Jahr ${n} entfernen`)));
  }

  function addCost(cost = {}) {
    const body = document.querySelector("#e-weitere tbody");
    const n = body.children.length + 1;
    body.append(el("tr", {},
      input("bezeichnung", cost.bezeichnung, `Kostenart ${n}: Bezeichnung`),
      input("betrag", germanNumber(cost.betrag), `Kostenart ${n}: Betrag`, { inputmode: "decimal", size: 10 }),
      input("jahr", cost.jahr ?? "", `Kostenart ${n}: Jahr`, { inputmode: "numeric", size: 5 }),
      removeButton(`Kostenart ${n} entfernen`)));
  }

  function yearRows(request) {
    const byYear = new Map();
    for (const v of request.beratertage_nach_jahr || []) byYear.set(v.jahr, { ...(byYear.get(v.jahr) || {}), jahr: v.jahr, beratertage: v.wert });
    for (const v of request.sachkosten_nach_jahr || []) byYear.set(v.jahr, { ...(byYear.get(v.jahr) || {}), jahr: v.jahr, sachkosten: v.wert });
    return [...byYear.values()].sort((a, b) => a.jahr - b.jahr);
  }

  function figure(text) {
    const match = /-?\d[\d.]*(?:,\d+)?/.exec(text);
    return { text, wert: match ? number(match[0]) : "0", einheit: /%|Prozent/i.test(text) ? "%" : "" };
  }

  function fill(form, request) {
    form.elements.betreff.value = request.betreff || "";
    form.elements.vorlagenart.value = request.vorlagenart || "Beschlussvorlage";
    form.elements.stadt.value = request.stadt || "";
    form.elements.amt.value = request.amt || "";
    form.elements.beratertage_je_jahr.value = germanNumber(request.beratertage_je_jahr);
    form.elements.tagessatz.value = germanNumber(request.tagessatz);
    form.elements.sachkosten_je_jahr.value = germanNumber(request.sachkosten_je_jahr);
    form.elements.haushaltsjahre.value = (request.haushaltsjahre || []).join(", ");
    form.elements.fakten.value = (request.fakten || []).join("\n");
    form.elements.kennzahlen.value = (request.kennzahlen || []).map((k) => k.text).join("\n");
    document.querySelector("#e-stellen tbody").replaceChildren();
    (request.stellen || []).forEach(addPosition);
    document.querySelector("#e-jahreswerte tbody").replaceChildren();
    yearRows(request).forEach(addYear);
    document.querySelector("#e-weitere tbody").replaceChildren();
    (request.weitere_kosten || []).forEach(addCost);
    document.querySelector("#e-beratung tbody").replaceChildren();
    (request.beratungsfolge || []).forEach(addStep);
  }

  function rowValues(selector) {
    return [...document.querySelectorAll(`${selector} tbody tr`)].map((row) => {
      const values = {};
      for (const field of row.querySelectorAll("input, select")) {
        values[field.name] = field.type === "checkbox" ? field.checked : field.value.trim();
      }
      return values;
    });
  }

  function collect(form) {
    const value = (name) => form.elements[name].value.trim();
    const request = {
      betreff: value("betreff"),
      vorlagenart: value("vorlagenart"),
      stadt: value("stadt") || null,
      amt: value("amt") || null,
      fakten: lines(form.elements.fakten.value),
      beteiligte: lines(form.elements.beteiligte.value),
      anlagen: lines(form.elements.anlagen.value),
      haushaltsjahre: value("haushaltsjahre").split(/[,;\s]+/).filter(Boolean).map(Number),
      abschnitte: [...form.querySelectorAll("input[name=abschnitte]:checked")].map((box) => box.value),
      stellen: rowValues("#e-stellen").filter((p) => p.gruppe).map((p) => ({
        anzahl: Number(p.anzahl || 1), gruppe: p.gruppe, vza: number(p.vza) || "1", ab: isoDate(p.ab),
        befristet_bis: isoDate(p.befristet_bis),
      })),
      beratungsfolge: rowValues("#e-beratung").filter((s) => s.gremium).map((s) => ({
        gremium: s.gremium, rolle: s.rolle, datum: isoDate(s.datum), oeffentlich: s.oeffentlich,
      })),
      kennzahlen: lines(form.elements.kennzahlen.value).map(figure),
      weitere_kosten: rowValues("#e-weitere").filter((c) => c.bezeichnung && c.betrag).map((c) => ({
        bezeichnung: c.bezeichnung, betrag: number(c.betrag), jahr: c.jahr ? Number(c.jahr) : null,
      })),
    };
    const years = rowValues("#e-jahreswerte").filter((y) => y.jahr);
    request.beratertage_nach_jahr = years.filter((y) => number(y.beratertage)).map((y) => ({ jahr: Number(y.jahr), wert: number(y.beratertage) }));
    request.sachkosten_nach_jahr = years.filter((y) => number(y.sachkosten)).map((y) => ({ jahr: Number(y.jahr), wert: number(y.sachkosten) }));
    for (const name of ["beratertage_je_jahr", "tagessatz", "sachkosten_je_jahr"]) {
      const amount = number(value(name));
      if (amount) request[name] = amount;
    }
    return request;
  }

  // ------------------------------------------------------------ showing the draft (a small Markdown subset)

  function inline(text) {
    const node = el("span");
    text.split(/(\*\*[^*]+\*\*)/).forEach((part) => {
      node.append(part.startsWith("**") && part.endsWith("**") ? el("strong", {}, part.slice(2, -2)) : part);
    });
    return node;
  }

  function markdown(text) {
    const box = el("div", { class: "draft-text" });
    const rows = text.split("\n");
    for (let i = 0; i < rows.length; i++) {
      const line = rows[i];
      if (line.startsWith("|")) {
        const table = el("table", { class: "finance" });
        const block = [];
        while (i < rows.length && rows[i].startsWith("|")) block.push(rows[i++]);
        i--;
        block.filter((r) => !/^\|[-:| ]+\|$/.test(r)).forEach((r, index) => {
          const cells = r.replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
          table.append(el("tr", {}, ...cells.map((c) => el(index === 0 ? "th" : "td", {}, inline(c)))));
        });
        box.append(table);
      } else if (line.startsWith("### ")) box.append(el("h4", {}, line.slice(4)));
      else if (line.startsWith("- ")) box.append(el("p", { class: "bullet" }, "• ", inline(line.slice(2))));
      else if (line.trim()) box.append(el("p", {}, inline(line)));
    }
    return box;
  }

  function showSection(section) {
    const container = document.getElementById("entwurf-abschnitte");
    const id = `abschnitt-${section.name.toLowerCase().replace(/[^a-zäöüß]+/g, "-")}`;
    const block = el("section", { class: "draft-section", id, "data-mode": section.mode },
      el("h3", {}, section.name), markdown(section.text));
    for (const notice of section.notices) block.append(el("p", { class: "notice" }, `Hinweis: ${notice}`));
    container.append(block);
  }

  async function download(link) {
    const response = await fetch(link.dataset.url, { headers: authHeaders() });
    if (!response.ok) throw new Error(await errorText(response));
    const blob = await response.blob();
    const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    const anchor = el("a", { href: URL.createObjectURL(blob), download: match ? match[1] : "Entwurf" });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
  }

  // ------------------------------------------------------------ wiring

  function setup() {
    const lineForm = document.getElementById("entwurf-zeile");
    const form = document.getElementById("entwurf-form");
    if (!lineForm || !form) return;
    const status = document.getElementById("entwurf-status");
    const inputNotes = document.getElementById("entwurf-hinweise-eingabe");
    document.getElementById("e-stelle-neu").addEventListener("click", () => addPosition());
    document.getElementById("e-beratung-neu").addEventListener("click", () => addStep());
    document.getElementById("e-jahr-neu").addEventListener("click", () => addYear());
    document.getElementById("e-kosten-neu").addEventListener("click", () => addCost());
    const unassigned = document.getElementById("entwurf-nicht-zugeordnet");

    lineForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = lineForm.elements.text.value.trim();
      if (!text) { status.textContent = "Bitte das Vorhaben beschreiben."; return; }
      status.textContent = "Angaben werden gelesen …";
      try {
        const parsed = await api("/v1/drafts/parse", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }),
        });
        fill(form, parsed.request);
        inputNotes.replaceChildren(...parsed.notes.map((n) => el("li", {}, `Annahme beim Lesen: ${n}`)));
        const figures = parsed.unassigned || [];
        unassigned.querySelector("ul").replaceChildren(...figures.map((u) => el("li", {}, `„${u.text}“ – ${u.grund}`)));
        unassigned.hidden = figures.length === 0;
        status.textContent = figures.length
          ? `Angaben übernommen; ${figures.length} nicht zugeordnet (siehe unten). Bitte prüfen und ergänzen.`
          : "Angaben übernommen. Bitte prüfen und dann den Entwurf erstellen.";
        document.getElementById("entwurf-form-title").focus?.();
      } catch (error) {
        status.textContent = `Fehler: ${error.message}`;
      }
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const request = collect(form);
      if (!request.betreff) { status.textContent = "Bitte einen Betreff angeben."; return; }
      const button = document.getElementById("entwurf-button");
      const result = document.getElementById("entwurf-ergebnis");
      const notices = document.getElementById("entwurf-hinweise");
      document.getElementById("entwurf-abschnitte").replaceChildren();
      document.getElementById("entwurf-quellen").replaceChildren();
      notices.replaceChildren();
      result.hidden = false;
      button.disabled = true;
      status.textContent = "Entwurf wird erstellt …";
      try {
        const response = await fetch("/v1/drafts/stream", {
          method: "POST",
          headers: authHeaders({ "Content-Type": "application/json", Accept: "text/event-stream" }),
          body: JSON.stringify({ request, sprachmodell: document.getElementById("e-sprachmodell").checked }),
        });
        if (!response.ok) throw new Error(await errorText(response));
        for await (const { event: type, data } of readEvents(response)) {
          if (type === "section") {
            showSection(data.section);
            status.textContent = `Abschnitt „${data.section.name}“ fertig …`;
          } else if (type === "notice") notices.append(el("li", {}, data.text));
          else if (type === "draft") {
            const sources = document.getElementById("entwurf-quellen");
            if (data.draft.citations.length) {
              const chips = el("div", { class: "chips", "aria-label": "Herangezogene frühere Vorlagen" });
              citationChips(data.draft.citations, chips);
              sources.append(el("h3", {}, "Herangezogene frühere Vorlagen"), chips);
            }
            document.getElementById("entwurf-docx").dataset.url = data.docx_url;
            document.getElementById("entwurf-md").dataset.url = data.markdown_url;
          } else if (type === "error") throw new Error(data.detail || "Unbekannter Fehler");
        }
        status.textContent = "Entwurf fertig.";
        document.getElementById("entwurf-ergebnis-titel").focus?.();
      } catch (error) {
        notices.append(el("li", { class: "error" }, error.message));
        status.textContent = `Fehler: ${error.message}`;
      } finally {
        button.disabled = false;
      }
    });

    for (const id of ["entwurf-docx", "entwurf-md"]) {
      document.getElementById(id).addEventListener("click", async (event) => {
        event.preventDefault();
        try {
          await download(event.currentTarget);
        } catch (error) {
          status.textContent = `Fehler beim Herunterladen: ${error.message}`;
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
