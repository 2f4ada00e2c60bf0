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
        card.scrollIntoView({ behavior: "smooth", block: "center" });
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
