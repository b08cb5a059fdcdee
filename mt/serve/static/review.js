// The review page: draft, edit, approve, download. Plain JS, no build step, no network
// beyond this server.
"use strict";

const $ = (sel) => document.querySelector(sel);
let draft = null; // {source, target, doc_key, sentences: [...]}
let format = "text";

function status(message, kind) {
  const el = $("#status");
  el.textContent = message || "";
  el.className = kind || "";
}

async function call(path, body, asJson = true) {
  const init = body instanceof FormData
    ? { method: "POST", body }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const key = new URLSearchParams(location.search).get("api_key");
  if (key) init.headers = { ...(init.headers || {}), "X-API-Key": key };
  const response = await fetch(path, init);
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return asJson ? response.json() : response;
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
}

// Source with its glossary terms marked (offsets come from the server's matcher).
function markSource(s) {
  let out = "", pos = 0;
  for (const t of s.terms) {
    out += escapeHtml(s.source.slice(pos, t.start));
    const cls = t.honoured ? "term" : "term missing";
    out += `<mark class="${cls}" title="glossary: ${escapeHtml(t.target)}">${escapeHtml(s.source.slice(t.start, t.end))}</mark>`;
    pos = t.end;
  }
  return out + escapeHtml(s.source.slice(pos));
}

// Translation with the required renderings marked where they occur.
function markTranslation(s) {
  let html = escapeHtml(s.translation);
  for (const t of s.terms) {
    if (!t.honoured) continue;
    const target = escapeHtml(t.target);
    const at = html.toLowerCase().indexOf(target.toLowerCase());
    if (at >= 0) {
      html = html.slice(0, at) + `<mark class="term">${html.slice(at, at + target.length)}</mark>` + html.slice(at + target.length);
    }
  }
  return html;
}

function render() {
  const body = $("#sentences tbody");
  body.innerHTML = "";
  let paragraph = null;
  draft.sentences.forEach((s, i) => {
    const tr = document.createElement("tr");
    if (paragraph !== null && s.paragraph !== paragraph) tr.className = "new-paragraph";
    paragraph = s.paragraph;
    const flags = s.qa.map((f) => `<span class="flag ${f.severity}" title="${escapeHtml(f.message)}">${escapeHtml(f.check)}</span>`).join(" ");
    const missing = s.terms.filter((t) => !t.honoured)
      .map((t) => `<span class="flag glossary" title="expected ${escapeHtml(t.target)}">glossary: ${escapeHtml(t.target)}</span>`).join(" ");
    const tm = s.from_tm ? '<span class="badge">memory</span>' : "";
    tr.innerHTML = `<td class="n">${i + 1}</td>
      <td class="src">${markSource(s)}</td>
      <td class="tgt"><div class="edit" contenteditable="true" spellcheck="true" lang="${draft.target}">${markTranslation(s)}</div>
        <div class="notes">${tm}${flags}${missing}</div></td>
      <td class="ok"><input type="checkbox" aria-label="approve sentence ${i + 1}"></td>`;
    const edit = tr.querySelector(".edit");
    edit.addEventListener("input", () => {
      s.translation = edit.innerText.replace(/\s+/g, " ").trim();
      s.edited = true;
      tr.classList.add("edited");
    });
    const box = tr.querySelector("input[type=checkbox]");
    box.checked = !!s.approved;
    box.addEventListener("change", () => { s.approved = box.checked; tr.classList.toggle("approved", box.checked); });
    if (s.approved) tr.classList.add("approved");
    body.appendChild(tr);
  });
  $("#review").hidden = false;
  $("#model").textContent = `${draft.source} → ${draft.target} · ${draft.model}`;
  $("#doc-key").value = draft.doc_key;
}

// The edit distance the server measured against the stored machine draft (null: none stored).
function showHter(hter) {
  const el = $("#hter");
  el.textContent = hter === null || hter === undefined ? "HTER: no machine draft stored" : `HTER ${hter.toFixed(1)}`;
  el.hidden = false;
}

async function translate() {
  const text = $("#text").value;
  if (!text.trim()) { status("Paste a text or upload a file first.", "error"); return; }
  status("Translating…", "busy");
  $("#translate").disabled = true;
  try {
    draft = await call("/v1/review/draft", { text, source: $("#source").value, target: $("#target").value, format });
    $("#hter").hidden = true;
    render();
    const flagged = draft.sentences.filter((s) => s.qa.length || s.terms.some((t) => !t.honoured)).length;
    status(`${draft.sentences.length} sentences, ${flagged} flagged. Edit, tick the ones you approve, then store them.`, "ok");
  } catch (e) {
    status(e.message, "error");
  } finally {
    $("#translate").disabled = false;
  }
}

async function upload() {
  const file = $("#file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  try {
    const got = await call("/v1/review/upload", form);
    $("#text").value = got.text;
    format = got.format;
    if ($("#source").value === "auto" || $("#source").value !== got.source) $("#source").value = got.source;
    status(`Read ${file.name}. Pick the target and translate.`, "ok");
  } catch (e) {
    status(e.message, "error");
  }
}

async function store() {
  if (!draft) return;
  const approved = draft.sentences.filter((s) => s.approved);
  if (!approved.length) { status("Tick the sentences you approve first.", "error"); return; }
  status("Storing…", "busy");
  try {
    const done = await call("/v1/review/approve", {
      source: draft.source, target: draft.target, doc_key: $("#doc-key").value,
      translator: $("#translator").value, sentences: approved,
    });
    showHter(done.hter);
    status(`Stored: ${done.summary}.`, "ok");
  } catch (e) {
    status(e.message, "error");
  }
}

async function download(fmt) {
  if (!draft) return;
  try {
    const response = await call("/v1/review/export", {
      source: draft.source, target: draft.target, format: fmt, name: $("#doc-key").value,
      sentences: draft.sentences,
    }, false);
    const blob = await response.blob();
    const name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name ? name[1] : `review.${fmt}`;
    document.body.appendChild(a);
    a.click();
    a.remove();
  } catch (e) {
    status(e.message, "error");
  }
}

$("#translate").addEventListener("click", translate);
$("#file").addEventListener("change", upload);
$("#text").addEventListener("input", () => { format = "text"; });
$("#store").addEventListener("click", store);
$("#approve-all").addEventListener("click", () => {
  if (!draft) return;
  draft.sentences.forEach((s) => { s.approved = true; });
  render();
});
document.querySelectorAll(".download").forEach((b) => b.addEventListener("click", () => download(b.dataset.format)));
