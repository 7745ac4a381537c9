// Read: scroll the linked passage into view, its first line clear of the sticky header,
// whether the article scrolls in its own pane (desktop) or with the page (phone).
const pane = (node) => {
  for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
    const overflow = getComputedStyle(up).overflowY;
    const scrolls = overflow === 'auto' || overflow === 'scroll';
    if (scrolls && up.scrollHeight > up.clientHeight) return up;
  }
  return null;
};
const reveal = () => setTimeout(() => {
  const target = element.querySelector('#cited-target');
  const doc = element.querySelector('.cited-doc') || element;
  const head = element.querySelector('.cited-doc-head');
  const clear = (head ? head.getBoundingClientRect().height : 0) + 16;
  const box = pane(doc);
  if (!box) {
    const top = target ? target.getBoundingClientRect().top : doc.getBoundingClientRect().top;
    window.scrollTo({top: window.scrollY + top - clear});
    return;
  }
  if (!target) { box.scrollTop = 0; return; }
  const offset = target.getBoundingClientRect().top - box.getBoundingClientRect().top;
  box.scrollTop = box.scrollTop + offset - clear;
}, 60);
watch('value', reveal);
reveal();
