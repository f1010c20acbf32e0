/** Usage and help of `virtio-access serve`, apart from the server so the dispatcher stays light. */
export const SERVE_USAGE = 'virtio-access serve [--port N]';
export const SERVE_HELP = `${SERVE_USAGE}

Serves the wizard and its services on http://127.0.0.1 only (port N, default: any free port) and prints the URL,
including a random token every request must carry, as the first line. Stop it with Ctrl-C.
`;
