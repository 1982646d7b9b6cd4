/** Styles for the floating dock's chrome (handle, collapse, hide) and the notices, inside the shadow root. */
export const DOCK_CSS = `
.fm-dock { display: flex; flex-direction: column; border-radius: 6px; box-shadow: 0 4px 16px rgba(0,0,0,.3);
  font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #181a20; color: #eaecef; overflow: hidden;
  max-height: calc(100vh - 32px); }
/* Expanded (the chart and the tape make it taller than a short window), the meter scrolls inside the dock: its bar and toggle stay on screen. */
.fm-dock > :not(.fm-dock-bar) { overflow-y: auto; min-height: 0; }
.fm-dock-bar { display: flex; align-items: center; gap: 4px; padding: 2px 4px; background: #2b3139; user-select: none; }
.fm-dock-handle { flex: 1; cursor: grab; padding: 2px 4px; border-radius: 3px; white-space: nowrap; touch-action: none; }
.fm-dock-handle:active { cursor: grabbing; }
.fm-dock-handle:focus-visible, .fm-dock-button:focus-visible, .fm-restore:focus-visible { outline: 2px solid #f0b90b; outline-offset: 1px; }
.fm-dock-button { all: unset; cursor: pointer; width: 18px; height: 18px; line-height: 18px; text-align: center; border-radius: 3px; color: #eaecef; }
.fm-dock-button:hover { background: rgba(255,255,255,.12); }
.fm-restore { all: unset; cursor: pointer; display: block; width: 26px; height: 26px; line-height: 26px; text-align: center; border-radius: 13px;
  background: #2b3139; color: #eaecef; font: 600 10px/26px system-ui, sans-serif; opacity: .7; box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.fm-restore:hover { opacity: 1; }
.fm-notice { font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; padding: 6px 8px; border-radius: 6px;
  background: #2b3139; color: #eaecef; border: 1px solid #f0b90b; }
`;
