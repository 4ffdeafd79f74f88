// Light code editing for <textarea class="code-editor">: Tab indents by four spaces, Shift+Tab
// outdents, Enter keeps the indentation. Press Escape first to let Tab move focus on (keyboard users).
(function () {
  const INDENT = "    ";
  document.querySelectorAll("textarea.code-editor").forEach(function (area) {
    let escaped = false;
    area.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { escaped = true; return; }
      if (event.key === "Tab" && !escaped) {
        event.preventDefault();
        const start = area.selectionStart, end = area.selectionEnd, text = area.value;
        const lineStart = text.lastIndexOf("\n", start - 1) + 1;
        if (event.shiftKey) {
          const removable = text.slice(lineStart, lineStart + INDENT.length).match(/^ */)[0].length;
          area.setRangeText("", lineStart, lineStart + removable, "end");
          area.selectionStart = area.selectionEnd = Math.max(lineStart, start - removable);
        } else {
          area.setRangeText(INDENT, start, end, "end");
        }
        return;
      }
      if (event.key === "Enter" && !event.shiftKey) {
        const start = area.selectionStart, text = area.value;
        const lineStart = text.lastIndexOf("\n", start - 1) + 1;
        let indent = text.slice(lineStart, start).match(/^ */)[0];
        if (text.slice(lineStart, start).trimEnd().endsWith(":")) indent += INDENT;
        event.preventDefault();
        area.setRangeText("\n" + indent, start, area.selectionEnd, "end");
      }
      escaped = false;
    });
  });
})();
