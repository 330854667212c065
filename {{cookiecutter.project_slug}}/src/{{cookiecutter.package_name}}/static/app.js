// The page asks the API what this demo's items are called and how to show them (GET /demo),
// so this one script serves every demo type.
"use strict";

const $ = (id) => document.getElementById(id);
let demo = null;

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const key = $("api-key").value;
  if (key) headers.set("X-API-Key", key);
  const response = await fetch(path, { ...options, headers });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error(describeError(response, body));
  return body;
}

function describeError(response, body) {
  const detail = body && body.detail;
  if (Array.isArray(detail)) {
    // pydantic's validation errors: say which field and what is wrong with it
    return detail.map((e) => `${e.loc.filter((p) => p !== "body").join(".")}: ${e.msg}`).join("\n");
  }
  return detail || `${response.status} ${response.statusText}`;
}

function showError(error) {
  $("error").textContent = error ? String(error.message || error) : "";
  $("error").hidden = !error;
}

async function guarded(button, action) {
  showError(null);
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

async function refreshCounts() {
  const counts = await api("items/count");
  $("counts").textContent = `${counts.metadata} ${demo.items_noun} stored`;
}

async function followJob(accepted) {
  $("job").hidden = false;
  $("job-errors").replaceChildren();
  for (;;) {
    const job = await api(`jobs/${accepted.job_id}`);
    $("job-progress").max = Math.max(job.total, 1);
    $("job-progress").value = job.done;
    $("job-status").textContent =
      `${job.state}: ${job.done} of ${job.total} processed, ${job.loaded} loaded, ${job.failed} skipped` +
      (job.message ? ` (${job.message})` : "");
    $("job-errors").replaceChildren(
      ...job.errors.map((e) => Object.assign(document.createElement("li"), { textContent: `${e.item}: ${e.reason}` })),
    );
    if (job.state === "succeeded" || job.state === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await refreshCounts();
}

// A hit's field as text: a list's entries one after another.
function describe(value) {
  if (!Array.isArray(value)) return String(value ?? "");
  return value.map((entry) => (typeof entry === "object" ? Object.values(entry).join(" ") : entry)).join(" · ");
}

// A URL pattern from GET /demo with each {field} replaced by the hit's value.
function fill(pattern, hit) {
  return pattern.replace(/\{(\w+)\}/g, (_, field) => encodeURIComponent(hit[field]));
}

function renderHit(hit) {
  const item = document.createElement("li");
  item.className = "hit";
  if (demo.picture_url) {
    const picture = document.createElement("img");
    picture.src = fill(demo.picture_url, hit);
    picture.alt = describe(hit[demo.title_field]);
    if (demo.link_url) {
      const link = Object.assign(document.createElement("a"), { href: fill(demo.link_url, hit), target: "_blank" });
      link.append(picture);
      item.append(link);
    } else {
      item.append(picture);
    }
  }
  const text = document.createElement("div");
  const title = document.createElement("h3");
  title.textContent = hit[demo.title_field] || `#${hit.id}`;
  const body = document.createElement("p");
  body.textContent = describe(hit[demo.text_field]);
  const score = document.createElement("p");
  score.className = "score";
  score.textContent = `${demo.score_label} ${hit.score.toFixed(3)} · id ${hit.id}`;
  text.append(title, body, score);
  item.append(text);
  return item;
}

function jsonSearch() {
  const body = { [demo.query_field]: $("query").value, top_k: Number($("top-k").value) };
  return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

function formSearch() {
  const form = new FormData();
  if ($("query").files.length) form.append(demo.query_field, $("query").files[0]);
  form.append("top_k", $("top-k").value);
  return { method: "POST", body: form };
}

async function search(event) {
  event.preventDefault();
  await guarded(event.submitter, async () => {
    const found = await api("search", demo.query_accept ? formSearch() : jsonSearch());
    $("results").replaceChildren(...found.results.map(renderHit));
    if (!found.results.length) {
      $("results").replaceChildren(
        Object.assign(document.createElement("li"), { textContent: `No ${demo.items_noun} stored yet: load some first.` }),
      );
    }
  });
}

async function upload(event) {
  event.preventDefault();
  await guarded(event.submitter, async () => {
    const form = new FormData();
    for (const file of $("file").files) form.append("file", file);
    await followJob(await api("items", { method: "POST", body: form }));
  });
}

async function start() {
  try {
    demo = await api("demo");
  } catch (error) {
    showError(error);
    return;
  }
  document.title = demo.title;
  $("title").textContent = demo.title;
  $("description").textContent = demo.description;
  $("upload-hint").textContent = demo.upload_hint;
  $("file").accept = demo.upload_accept;
  $("file").multiple = demo.upload_multiple;
  $("query-label").textContent = demo.query_label;
  if (demo.query_accept) {
    $("query").type = "file";
    $("query").accept = demo.query_accept;
    $("query").required = true;
  } else {
    $("query").placeholder = demo.query_example;
    $("query").value = demo.query_example;
  }
  $("upload-form").addEventListener("submit", upload);
  $("search-form").addEventListener("submit", search);
  $("sample").addEventListener("click", (event) =>
    guarded(event.target, async () => followJob(await api("items/sample", { method: "POST" }))),
  );
  await refreshCounts().catch(showError);
}

start();
