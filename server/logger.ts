/** The server's pino logger; `silent` in tests. */
import pino, { type Logger } from "pino";

export function createLogger(level: string): Logger {
  return pino({ level, base: { component: "server" } });
}
