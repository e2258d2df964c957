"use strict";
(() => {
  const I18N = {
    ja: { city: "船橋市", title: "DX アクションプラン案内", intro: "船橋市 DX 推進計画アクションプランの取り組みや用語についてお答えします。",
          label: "質問", send: "送信", citizen: "市民", staff: "職員", legend: "利用者", toggle: "English", toggleLang: "en",
          placeholder: "例: マイナポータルとは / 2-3-1の状況は？", dept: "担当", grade: "評価", draft: "（下書き・未公表）",
          busy: "回答を待っています…", history: "会話", links: "リンク", suggest: "候補", examples: "質問の例",
          you: "あなた", bot: "ボット", popular: "よく出てくる用語", help: "使い方", helpQ: "使い方",
          contact: "お問い合わせ", plan: "アクションプラン（船橋市）", tel: "電話",
          disclaimer: "回答はアクションプランの記載から自動で作成しています。正式な内容は計画書をご確認ください。",
          privacy: (d) => `答えられなかった質問は回答の改善のため${d}日間保存します（誰の質問かは記録しません）。続けての質問のため、直前の話題を10分間覚えます。`,
          staffBadge: "職員モード（サインイン中）", signOut: "サインアウト",
          year: "年度", target: "目標", actual: "実績", baseline: "基準値", kpiOf: (y) => `${y}の実績`, achieved: (p) => `達成率 ${p}%`,
          yearGrade: (y) => `（${y}の評価）`, ask: (id) => `${id}の状況`, term: (t) => `${t}とは`,
          more: (id) => `${id}について`,
          retry: "もう一度送る",
          errors: { 429: (s) => `質問が続いたため、少し休んでいます。${s}秒ほど待ってから、もう一度送ってください。`,
                    413: "質問が長すぎます（1,000文字まで）。短くしてから、もう一度送ってください。",
                    network: "サーバーにつながりませんでした。通信を確かめて、もう一度送ってください。",
                    other: "うまく回答できませんでした。少し待ってから、もう一度送ってください。" },
          examplesList: ["2-3-1の状況は？", "マイナポータルとは", "A評価の事業", "用語一覧", "使い方"] },
    en: { city: "Funabashi City", title: "DX Action Plan guide", intro: "Ask about Funabashi City's DX Action Plan: its projects and its terms.",
          label: "Question", send: "Send", citizen: "Citizen", staff: "Staff", legend: "Audience", toggle: "日本語", toggleLang: "ja",
          placeholder: "e.g. what is LGWAN? / what's 2-3-1's status?", dept: "Owner", grade: "Grade", draft: " (draft, not published)",
          busy: "Waiting for the answer…", history: "Conversation", links: "Links", suggest: "Suggestions", examples: "Try asking",
          you: "You", bot: "Bot", popular: "Common terms", help: "Help", helpQ: "help",
          contact: "Contact", plan: "The action plan (Funabashi City)", tel: "Tel.",
          disclaimer: "Answers are drawn automatically from the action plan. The published plan is the authoritative text.",
          privacy: (d) => `Questions it cannot answer are kept for ${d} days to improve it (not who asked); for follow-ups, the last topic for 10 minutes.`,
          staffBadge: "Staff mode (signed in)", signOut: "Sign out",
          year: "Year", target: "Target", actual: "Actual", baseline: "Baseline", kpiOf: (y) => `Actual, ${y}`, achieved: (p) => `${p}% of target`,
          yearGrade: (y) => ` (grade for ${y})`, ask: (id) => `status of ${id}`, term: (t) => `what is ${t}`,
          more: (id) => `More on ${id}`,
          retry: "Send again",
          errors: { 429: (s) => `Too many questions in a row. Please wait about ${s} seconds, then send it again.`,
                    413: "That question is too long (1,000 characters at most). Please shorten it and send it again.",
                    network: "Could not reach the server. Check your connection and send it again.",
                    other: "Something went wrong. Please wait a moment and send it again." },
          examplesList: ["What's 2-3-1's status?", "What is LGWAN?", "projects graded A", "list of terms", "help"] },
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
  const t = () => I18N[lang];

  function chip(label, question, cls = "suggestion") {
    const b = el("button", { type: "button", class: cls, text: label });
    b.addEventListener("click", () => ask(question));
    return b;
  }

  function applyLang() {
    const w = t();
    document.documentElement.lang = lang;
    $("city").textContent = w.city; $("title").textContent = w.title; $("intro").textContent = w.intro;
    $("q-label").textContent = w.label; $("send").textContent = w.send; $("audience-legend").textContent = w.legend;
    input.placeholder = w.placeholder; $("log").setAttribute("aria-label", w.history);
    $("disclaimer").textContent = w.disclaimer; $("plan-link").textContent = w.plan;
    $("privacy").textContent = w.privacy(document.body.dataset.retentionDays);
    $("staff-badge").textContent = w.staffBadge; $("sign-out").textContent = w.signOut;
    document.title = `${w.city} — ${w.title}`;
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = w[n.dataset.i18n]; });
    const toggle = $("lang-toggle");
    toggle.textContent = w.toggle; toggle.lang = w.toggleLang; toggle.setAttribute("aria-pressed", String(lang === "en"));
    const examples = $("examples");
    examples.querySelectorAll("button").forEach((b) => b.remove());
    for (const q of w.examplesList) examples.append(chip(q, q, "chip"));
  }

  const questionFor = (ref) => (ref.kind === "project" ? t().ask(ref.id) : t().term(ref.id));

  function refButtons(refs, label) {
    if (!refs || !refs.length) return null;
    const box = el("div", { class: "suggestions", role: "group", "aria-label": label });
    for (const ref of refs) box.append(chip(ref.kind === "project" ? `${ref.id} ${ref.title}` : ref.title, questionFor(ref)));
    return box;
  }

  const fmt = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString(lang === "en" ? "en-US" : "ja-JP"));

  function gradeBadge(p) {
    const g = p.grade || "—";
    return el("span", { class: `grade ${p.grade || "none"}`, text: g, "aria-label": `${t().grade} ${g}` });
  }

  // Targets against actuals by year: a table (read as such by screen readers) with bars drawn in CSS.
  function chart(s, mark) {
    const values = s.years.flatMap((y) => [y.target, y.actual]).concat(s.baseline ? [s.baseline.value] : []);
    const max = Math.max(1, ...values.filter((v) => v !== null && v !== undefined));
    const cell = (v, kind) => {
      const td = el("td");
      const box = el("div", { class: "cell" });
      const track = el("span", { class: "track", "aria-hidden": "true" });
      if (v !== null && v !== undefined) {
        const fill = el("span", { class: `fill ${kind}` });
        fill.style.width = `${Math.max(2, Math.round((v / max) * 100))}%`;
        track.append(fill);
      }
      box.append(track, el("span", { class: "num", text: `${fmt(v)}${v !== null && v !== undefined ? s.unit : ""}` }));
      td.append(box);
      return td;
    };
    const table = el("table", { class: "chart" }, el("caption", { text: (mark ? `${mark}: ` : "") + s.label + (s.unit ? ` (${s.unit})` : "") }));
    table.append(el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t().year }),
      el("th", { scope: "col", text: t().target }), el("th", { scope: "col", text: t().actual }))));
    const body = el("tbody");
    if (s.baseline && s.baseline.value !== null) {
      body.append(el("tr", {}, el("th", { scope: "row", text: `${t().baseline} ${s.baseline.label}` }), cell(null, "target"), cell(s.baseline.value, "actual")));
    }
    for (const y of s.years) body.append(el("tr", {}, el("th", { scope: "row", text: y.label }), cell(y.target, "target"), cell(y.actual, "actual")));
    table.append(body);
    return table;
  }

  function legend() {
    const item = (cls, text) => { const s = el("span"); s.append(el("i", { class: `fill ${cls}`, "aria-hidden": "true" }), document.createTextNode(text)); return s; };
    return el("div", { class: "legend", "aria-hidden": "true" }, item("target", t().target), item("actual", t().actual));
  }

  // Text the plan has only in Japanese: in an English answer, after its mark ("Comment (Japanese): "), as Japanese.
  function quoted(tag, label, text, attrs = {}) {
    if (!label) return el(tag, { ...attrs, text });
    return el(tag, attrs, document.createTextNode(`${label}: `), el("span", { lang: "ja", text }));
  }

  function progressBar(k, mark) {
    const bar = el("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100",
                            "aria-valuenow": String(Math.max(0, Math.min(100, k.percent))), "aria-valuetext": t().achieved(k.percent), "aria-label": k.label });
    // k.bar stops short of full below 100 %, so an unmet target never looks complete.
    const fill = el("span"); fill.style.width = `${k.bar}%`; bar.append(fill);
    return el("div", { class: "kpi" },
      el("div", { class: "meta", text: `${mark ? `${mark}: ` : ""}${k.label} — ${t().kpiOf(k.year_label)} ${fmt(k.actual)}${k.unit || ""} / ${t().target} ${fmt(k.target)}${k.unit || ""} (${t().achieved(k.percent)})` }), bar);
  }

  function projectCard(p, intent) {
    const card = el("article", { class: "project" });
    card.append(el("h2", { text: `${p.id} ${p.title || p.name}` }));
    card.append(el("p", { class: "meta", text: `${t().dept}: ${p.departments.join(lang === "en" ? ", " : "、")}` }));
    if (intent === "project_status") {
      const year = p.grade && p.year_label ? t().yearGrade(p.year_label) : "";
      card.append(el("p", {}, gradeBadge(p), document.createTextNode(p.grade_label + year + (p.draft ? t().draft : ""))));
      if (!p.grade && p.ungraded_reason) card.append(el("p", { text: p.ungraded_reason }));
      if (p.comment) card.append(quoted("p", p.quoted, p.comment));
      for (const k of p.kpis) if (k.percent !== null) card.append(progressBar(k, p.kpi_quoted));
    } else if (intent === "project_kpi" && p.series.length) {
      card.append(legend());
      for (const s of p.series) card.append(chart(s, p.kpi_quoted));
    } else {
      card.append(el("p", { text: (p.lines || []).join("\n") }));  // the title, note and source left out
    }
    if (p.actions && p.actions.length) {  // the project's other views, as on Slack and LINE
      const row = el("div", { class: "suggestions actions", role: "group", "aria-label": t().more(p.id) });
      for (const a of p.actions) row.append(chip(a.label, a.q, "action"));
      card.append(row);
    }
    return card;
  }

  function contactBox(c) {
    const box = el("div", { class: "contact" });
    box.append(el("h3", { text: t().contact }));
    const who = el("p", { text: lang === "en" ? (c.name_en || c.name) : c.name });
    if (c.phone) who.append(document.createTextNode(` ${t().tel} `), el("a", { href: `tel:${c.phone.replace(/[^0-9+]/g, "")}`, text: c.phone }));
    box.append(who);
    const links = el("p");
    if (c.url) links.append(el("a", { href: c.url, rel: "noopener noreferrer", target: "_blank", text: c.url }), document.createTextNode(" "));
    links.append(el("a", { href: c.plan_url, rel: "noopener noreferrer", target: "_blank", text: t().plan }));
    box.append(links);
    return box;
  }

  function answerNode(data) {
    const li = el("li", { class: "a", tabindex: "-1", lang: data.lang || lang });
    li.append(el("span", { class: "sr-only", text: `${I18N[data.lang || lang].bot}: ` }));
    const card = data.card || { type: "text" };
    if (card.type === "glossary") {
      li.append(el("h2", { text: card.name || card.term }));
      if (card.name && card.name !== card.term) li.append(el("p", { class: "meta", lang: "ja", text: card.term }));
      li.append(quoted("p", card.quoted, card.definition.split("\n").filter((l) => !l.startsWith("http")).join("\n")));
      if (card.urls.length) {
        const ul = el("ul", { class: "plain", "aria-label": t().links });
        for (const u of card.urls) ul.append(el("li", {}, el("a", { href: u, rel: "noopener noreferrer", target: "_blank", text: u })));
        li.append(ul);
      }
    } else if (card.type === "project") {
      if (card.assumed) li.append(el("p", { class: "meta", text: data.text.split("\n")[0] }));
      for (const p of card.projects) li.append(projectCard(p, card.intent));
    } else if (card.type === "list") {
      li.append(el("h2", { text: `${card.filter} (${card.projects.length})` }));
      if (!card.projects.length) li.append(el("p", { text: data.text.split("\n")[0] }));
      for (const line of card.groups || []) li.append(el("p", { text: line }));
      for (const line of card.notes || []) li.append(el("p", { class: "meta", text: line }));
      const ul = el("ul", { class: "plain" });
      for (const p of card.projects) {
        const b = el("button", { type: "button" }, gradeBadge(p), document.createTextNode(`${p.id} ${p.title || p.name}`));
        b.addEventListener("click", () => ask(t().ask(p.id)));
        ul.append(el("li", {}, b));
      }
      li.append(ul);
    } else if (card.type === "terms") {
      li.append(el("p", { text: data.text.split("\n")[0] }));
      li.append(refButtons(card.terms.map((x, i) => ({ kind: "glossary", id: x, title: (card.names || [])[i] || x })), t().suggest));
    } else if (card.type === "unknown") {
      li.append(el("p", { text: data.text.split("\n").filter((l) => !/^(お問い合わせ|アクションプラン:|To ask a person|The action plan:)/.test(l)).join("\n") }));
    } else {
      li.append(el("p", { text: data.text }));
    }
    const buttons = refButtons(data.suggestions, t().suggest);
    if (buttons) li.append(buttons);
    if (card.type === "unknown") {
      const more = refButtons(data.popular, t().popular) || el("div", { class: "suggestions", role: "group", "aria-label": t().popular });
      more.append(chip(t().help, t().helpQ));
      li.append(more);
      if (data.contact) li.append(contactBox(data.contact));
    }
    if (card.source) li.append(el("p", { class: "source", text: card.source }));
    if (data.answer_id) li.append(feedbackNode(data.answer_id, data.lang || lang));
    return li;
  }

  // 👍 / 👎 on each answer, and a one-line reason after 👎 (POST /api/feedback).
  const FEEDBACK = {
    ja: { group: "この回答は役に立ちましたか", up: "役に立った", down: "役に立たなかった", reason: "理由（任意）",
          send: "送る", thanks: "ご意見ありがとうございます。", noted: "理由を受け付けました。", failed: "送れませんでした。" },
    en: { group: "Was this answer helpful?", up: "Helpful", down: "Not helpful", reason: "Why? (optional)",
          send: "Send", thanks: "Thank you for your feedback.", noted: "Your reason was received.", failed: "Could not send it." },
  };
  async function sendFeedback(body) {
    try {
      const res = await fetch("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
                                                 credentials: "same-origin", body: JSON.stringify(body) });
      return res.ok;
    } catch (err) { return false; }
  }
  function feedbackNode(answerId, answerLang) {
    const f = FEEDBACK[answerLang] || FEEDBACK.ja;
    const box = el("div", { class: "feedback", role: "group", "aria-label": f.group });
    const note = el("p", { class: "meta", role: "status" });
    const up = el("button", { type: "button", class: "vote", "aria-pressed": "false", "aria-label": f.up, text: "👍" });
    const down = el("button", { type: "button", class: "vote", "aria-pressed": "false", "aria-label": f.down, text: "👎" });
    const why = el("form", { class: "why", hidden: "" });
    const id = `why-${answerId}`;
    const field = el("input", { id, type: "text", maxlength: "200", autocomplete: "off" });
    why.append(el("label", { for: id, text: f.reason }), field, el("button", { type: "submit", text: f.send }));
    async function vote(value) {
      const ok = await sendFeedback({ answer: answerId, vote: value });
      up.setAttribute("aria-pressed", String(ok && value === "up"));
      down.setAttribute("aria-pressed", String(ok && value === "down"));
      note.textContent = ok ? f.thanks : f.failed;
      why.hidden = !(ok && value === "down");
      if (!why.hidden) field.focus();
    }
    up.addEventListener("click", () => vote("up"));
    down.addEventListener("click", () => vote("down"));
    why.addEventListener("submit", async (e) => {
      e.preventDefault();
      const ok = await sendFeedback({ answer: answerId, vote: "down", reason: field.value });
      note.textContent = ok ? f.noted : f.failed;
      if (ok) { why.hidden = true; input.focus(); }
    });
    box.append(up, down, why, note);
    return box;
  }

  function remember() {
    while (history.children.length > MAX_HISTORY * 2) history.removeChild(history.firstChild);
  }

  function errorNode(kind, q, retryAfter) {
    const e = t().errors;
    const message = kind === 429 ? e[429](retryAfter || 5) : e[kind] || e.other;
    const li = el("li", { class: "a error", lang }, el("span", { class: "sr-only", text: `${t().bot}: ` }), el("p", { text: message }));
    if (kind === 413) { input.value = q; }
    else li.append(el("div", { class: "suggestions" }, chip(t().retry, q)));
    return li;
  }

  function show(node) {
    history.append(node);  // announced by the log's aria-live
    remember();
    node.scrollIntoView({ block: "nearest" });
  }

  async function ask(text) {
    const q = text.trim();
    if (!q) return;
    document.body.classList.add("started");
    const audience = document.querySelector('input[name="audience"]:checked').value;
    show(el("li", { class: "q" }, el("span", { class: "sr-only", text: `${t().you}: ` }), document.createTextNode(q)));
    status.textContent = t().busy;
    let res;
    try {
      res = await fetch("/api/ask", { method: "POST", headers: { "Content-Type": "application/json" },
                                      credentials: "same-origin", body: JSON.stringify({ q, audience, lang }) });
    } catch (err) {
      status.textContent = "";
      show(errorNode("network", q));
      input.focus();
      return;
    }
    status.textContent = "";
    let data = null;
    try { data = await res.json(); } catch (err) { data = null; }
    if (res.ok && data) show(answerNode(data));
    else show(errorNode(res.status === 429 || res.status === 413 ? res.status : "other", q, res.headers.get("Retry-After")));
    input.focus();  // keyboard users keep typing where they were
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); const q = input.value; input.value = ""; ask(q); });
  $("lang-toggle").addEventListener("click", () => { lang = lang === "ja" ? "en" : "ja"; sessionStorage.setItem("dxbot-lang", lang); applyLang(); });
  applyLang();
})();
