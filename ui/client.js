// Runs once in the sources panel (gr.HTML js_on_load): `element`, `trigger` come from Gradio.
// [n] links in the chat scroll to their source card; "Copy answer" copies the plain answer;
// "Open article" asks the server for the whole article (the viewer scrolls to the quote).
if (!window.__newsragClicks) {
  window.__newsragClicks = true;
  const copyText = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_) {
      const area = document.createElement("textarea");
      area.value = text;
      area.style.position = "fixed";
      area.style.left = "-9999px";
      document.body.appendChild(area);
      area.select();
      const ok = document.execCommand("copy");
      area.remove();
      return ok;
    }
  };
  // The card into view, then its passage box scrolled so the quote sits in the middle of it.
  // Instant, not smooth: a smooth scroll of the page and one of the box inside it interrupt each
  // other in Chromium, which left the quote below the box's fold.
  const showCard = (card) => {
    const box = card.querySelector(".nr-passage");
    const mark = card.querySelector("mark.nr-quote");
    if (box && mark) {
      const inBox = mark.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
      const room = box.clientHeight - mark.offsetHeight;
      box.scrollTop = Math.max(0, inBox - Math.max(0, room / 2));
    }
    card.scrollIntoView({ block: card.offsetHeight > window.innerHeight ? "start" : "nearest" });
    if (mark) {
      const r = mark.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) mark.scrollIntoView({ block: "center" });
    }
  };
  // A new question goes to the top of the chat box (as near as the box can scroll) and stays there
  // while its answer arrives below it, instead of the view following the answer's end; on a phone
  // the page scrolls the chat box into view when the question is off the screen. Again when the
  // answer is complete, as it is then at its full length.
  const showQuestion = (chat, bubble) => {
    let box = bubble.parentElement;
    while (box && chat.contains(box) && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
    if (box && chat.contains(box)) {
      box.scrollTop += bubble.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    }
    const r = bubble.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) chat.scrollIntoView({ block: "start" });
  };
  let asked = 0;
  let answered = 0;
  const keepQuestionInView = () => {
    const chat = document.getElementById("nr-chat");
    if (!chat) return;
    const questions = chat.querySelectorAll(".nr-user");
    const done = chat.querySelectorAll(".nr-meta, .nr-error").length;
    if (questions.length < asked) asked = answered = 0; // a new chat
    if (questions.length > asked || done > answered) {
      asked = questions.length;
      answered = done;
      const last = questions[questions.length - 1];
      if (last) showQuestion(chat, last.closest(".message-row") || last);
    }
  };
  new MutationObserver(keepQuestionInView).observe(document.body, { childList: true, subtree: true });
  document.addEventListener(
    "click",
    (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      const cite = target.closest('a[href^="#nr-src-"]');
      if (cite) {
        event.preventDefault();
        event.stopPropagation();
        const card = document.getElementById(cite.getAttribute("href").slice(1));
        if (!card) return;
        const section = card.closest("details");
        if (section) section.open = true;
        showCard(card);
        card.classList.remove("nr-flash");
        void card.offsetWidth; // restart the animation
        card.classList.add("nr-flash");
        return;
      }
      const copy = target.closest('a[href^="#nr-copy-"]');
      if (copy) {
        event.preventDefault();
        event.stopPropagation();
        const turn = copy.getAttribute("href").slice("#nr-copy-".length);
        const plain = document.getElementById("nr-plain-" + turn);
        if (!plain) return;
        copyText(plain.value).then((ok) => {
          const label = copy.textContent;
          copy.textContent = ok ? "Copied ✓" : "Copy failed";
          setTimeout(() => (copy.textContent = label), 1500);
        });
      }
    },
    true,
  );
}
element.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button.nr-open") : null;
  if (!button) return;
  const d = button.dataset;
  trigger("click", {
    article_id: d.article,
    start: Number(d.start),
    end: Number(d.end),
    quote_start: Number(d.qs),
    quote_end: Number(d.qe),
  });
});
