// Copy the invitation email text to the clipboard (CU-2). No dependencies.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-from]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyFrom);
  const status = button.parentElement.querySelector("[data-copy-status]");
  if (!source) return;
  const text = source.value !== undefined ? source.value : source.textContent;
  try {
    await navigator.clipboard.writeText(text);
    if (status) status.textContent = "Copied.";
  } catch (error) {
    source.select();
    const ok = document.execCommand && document.execCommand("copy");
    if (status) status.textContent = ok ? "Copied." : "Select the text and copy it (Ctrl+C).";
  }
});
