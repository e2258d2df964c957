"use strict";
(() => {
  const I18N = {
    ja: { title: "DX アクションプラン案内", intro: "船橋市 DX 推進計画アクションプランの取り組みや用語についてお答えします。",
          label: "質問", send: "送信", citizen: "市民", staff: "職員", legend: "利用者", toggle: "English",
          placeholder: "例: マイナポータルとは / 2-3-1の状況は？", dept: "担当", grade: "評価", draft: "（下書き・未公表）",
          busy: "回答を待っています…", history: "会話", links: "リンク", suggest: "候補" },
    en: { title: "DX Action Plan guide", intro: "Ask about Funabashi City's DX Action Plan: its projects and its terms.",
          label: "Question", send: "Send", citizen: "Citizen", staff: "Staff", legend: "Audience", toggle: "日本語",
          placeholder: "e.g. what is LGWAN? / what's 2-3-1's status?", dept: "Owner", grade: "Grade", draft: " (draft, not published)",
          busy: "Waiting for the answer…", history: "Conversation", links: "Links", suggest: "Suggestions" },
  };
  const $ = (id) => document.getElementById(id);
  const history = $("history"), form = $("ask-form"), input = $("q"), status = $("status");
  const allowStaff = document.body.dataset.allowStaff === "true";
  let lang = sessionStorage.getItem("dxbot-lang") || "ja";
  const MAX_HISTORY = 20;

  if (!allowStaff) { $("staff-radio").disabled = true; $("staff-radio").closest("label").title = "Staff mode is not enabled"; }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  function applyLang() {
    const t = I18N[lang];
    document.documentElement.lang = lang;
    $("title").textContent = t.title; $("intro").textContent = t.intro; $("q-label").textContent = t.label;
    $("send").textContent = t.send; $("audience-legend").textContent = t.legend; input.placeholder = t.placeholder;
    history.setAttribute("aria-label", t.history);
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t[n.dataset.i18n]; });
    $("lang-toggle").textContent = t.toggle; $("lang-toggle").setAttribute("aria-pressed", String(lang === "en"));
  }

  function questionFor(ref) {
    if (ref.kind === "project") return lang === "en" ? `status of ${ref.id}` : `${ref.id}の状況`;
    return lang === "en" ? `what is ${ref.id}` : `${ref.id}とは`;
  }

  function suggestionButtons(refs) {
    if (!refs || !refs.length) return null;
    const box = el("div", { class: "suggestions", role: "group", "aria-label": I18N[lang].suggest });
    for (const ref of refs) {
      const label = ref.kind === "project" ? `${ref.id} ${ref.title}` : ref.title;
      const b = el("button", { type: "button", class: "suggestion", text: label });
      b.addEventListener("click", () => ask(questionFor(ref)));
      box.append(b);
    }
    return box;
  }

  const fmt = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString(lang === "en" ? "en-US" : "ja-JP"));

  function gradeBadge(p) {
    const g = p.grade || "—";
    return el("span", { class: `grade ${p.grade || "none"}`, text: g, "aria-label": `${I18N[lang].grade} ${g}` });
  }

  function projectCard(p, intent, text) {
    const card = el("article", { class: "project" });
    card.append(el("h2", { text: `${p.id} ${p.name}` }));
    card.append(el("p", { class: "meta", text: `${I18N[lang].dept}: ${p.departments.join("、")}` }));
    if (intent === "project_status") {
      const g = el("p", {}, gradeBadge(p), document.createTextNode(p.grade_label + (p.draft ? I18N[lang].draft : "")));
      card.append(g);
      if (p.comment) card.append(el("p", { text: p.comment }));
      for (const k of p.kpis) {
        if (k.percent === null) continue;
        const pct = Math.max(0, Math.min(100, k.percent));
        const bar = el("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100",
                                "aria-valuenow": String(k.percent), "aria-label": k.label });
        const fill = el("span"); fill.style.width = `${pct}%`; bar.append(fill);
        card.append(el("div", { class: "kpi" }, el("div", { class: "meta", text: `${k.label} — ${fmt(k.actual)} / ${fmt(k.target)} (${k.percent}%)` }), bar));
      }
    } else {
      card.append(el("p", { text: text.split("\n").slice(1).filter((l) => !/^(出典|Source)/.test(l)).join("\n") }));
    }
    return card;
  }

  function answerNode(data) {
    const li = el("li", { class: "a", tabindex: "-1" });
    const card = data.card || { type: "text" };
    if (card.type === "glossary") {
      li.append(el("h2", { text: card.term }), el("p", { text: card.definition.split("\n").filter((l) => !l.startsWith("http")).join("\n") }));
      if (card.urls.length) {
        const ul = el("ul", { class: "plain", "aria-label": I18N[lang].links });
        for (const u of card.urls) ul.append(el("li", {}, el("a", { href: u, rel: "noopener noreferrer", target: "_blank", text: u })));
        li.append(ul);
      }
    } else if (card.type === "project") {
      const texts = data.text.split("\n\n");
      card.projects.forEach((p, i) => li.append(projectCard(p, card.intent, texts[i] || data.text)));
    } else if (card.type === "list") {
      li.append(el("h2", { text: `${card.filter} (${card.projects.length})` }));
      if (!card.projects.length) li.append(el("p", { text: data.text.split("\n")[0] }));
      const ul = el("ul", { class: "plain" });
      for (const p of card.projects) ul.append(el("li", {}, gradeBadge(p), document.createTextNode(`${p.id} ${p.name}`)));
      li.append(ul);
    } else {
      li.append(el("p", { text: data.text }));
    }
    const buttons = suggestionButtons(data.suggestions);
    if (buttons) li.append(buttons);
    if (card.source) li.append(el("p", { class: "source", text: card.source }));
    return li;
  }

  function remember() {
    while (history.children.length > MAX_HISTORY * 2) history.removeChild(history.firstChild);
  }

  async function ask(text) {
    const q = text.trim();
    if (!q) return;
    const audience = document.querySelector('input[name="audience"]:checked').value;
    history.append(el("li", { class: "q", text: q }));
    status.textContent = I18N[lang].busy;
    try {
      const res = await fetch("/api/ask", { method: "POST", headers: { "Content-Type": "application/json" },
                                            body: JSON.stringify({ q, audience }) });
      const data = await res.json();
      status.textContent = "";
      const node = res.ok ? answerNode(data) : el("li", { class: "a error", role: "alert", text: data.error || res.statusText });
      history.append(node);  // announced by the list's aria-live
      remember();
      node.scrollIntoView({ block: "nearest" });
    } catch (err) {
      status.textContent = String(err);
    }
    input.focus();  // keyboard users keep typing where they were
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); const q = input.value; input.value = ""; ask(q); });
  $("lang-toggle").addEventListener("click", () => { lang = lang === "ja" ? "en" : "ja"; sessionStorage.setItem("dxbot-lang", lang); applyLang(); });
  applyLang();
})();
