import { message } from './message.js';

// A full reload would give a new value: the test compares it before and after an edit to tell HMR from a reload.
window.loadedAt ??= `${Date.now()}-${Math.random()}`;
document.querySelector('#loaded').textContent = window.loadedAt;

function render(text) {
  document.querySelector('#message').textContent = text;
}

render(message);

if (import.meta.hot) {
  // Accepting the dependency keeps an edit of message.js an in-place update (no reload).
  import.meta.hot.accept('./message.js', (next) => render(next.message));
}
