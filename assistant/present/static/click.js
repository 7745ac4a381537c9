// Clicks on links and buttons inside rendered HTML become Gradio "click" events carrying
// their data-* attributes; nothing in the rendered HTML itself runs code. The caveats
// summary of a narrow screen opens its panel here, without a round trip.
element.addEventListener('click', (event) => {
  const link = event.target.closest('a.cited-open');
  if (link) {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    trigger('click', {action: 'open', doc: link.dataset.doc,
                      start: Number(link.dataset.start), end: Number(link.dataset.end),
                      hs: Number(link.dataset.hs ?? -1), he: Number(link.dataset.he ?? -1)});
    return;
  }
  const button = event.target.closest('button[data-action], button.cited-recent');
  if (!button) return;
  if (button.dataset.action === 'caveats') {
    const columns = button.closest('.cited-columns');
    const open = columns.classList.toggle('cited-show-caveats');
    button.setAttribute('aria-expanded', String(open));
    if (open) columns.querySelector('.cited-side').scrollIntoView({block: 'nearest'});
    return;
  }
  trigger('click', {action: button.dataset.action || 'recent', doc: button.dataset.doc || '',
                    file: button.dataset.file || '', question: button.dataset.question || ''});
});
