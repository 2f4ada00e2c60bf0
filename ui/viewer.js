// Runs in the article viewer (gr.HTML js_on_load): scroll to the quote when an article opens;
// the close button and Escape close it.
const close = () => {
  props.value = "";
};
element.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest(".nr-close")) close();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && element.querySelector(".nr-viewer-inner")) close();
});
watch("value", () => {
  const mark = element.querySelector("#nr-target");
  if (mark) {
    mark.scrollIntoView({ block: "center" });
    element.querySelector(".nr-close")?.focus();
  }
});
