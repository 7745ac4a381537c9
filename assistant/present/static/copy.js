async (markdown) => {
  try { await navigator.clipboard.writeText(markdown); }
  catch (error) {
    const area = document.createElement('textarea');
    area.value = markdown; document.body.appendChild(area); area.select();
    document.execCommand('copy'); area.remove();
  }
  return markdown;
}
