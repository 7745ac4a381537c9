// After an answer arrives, bring its top into view (on a phone it lands below the fold).
// The click script is loaded beside this one.
watch('value', () => {
  const view = element.querySelector('.cited-answer-view');
  if (!view) return;
  const top = view.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.5) view.scrollIntoView({block: 'start'});
});
