/**
 * Entry point of `npm run serve` / `npm run dev`: reads the environment,
 * starts the server, and shuts it down cleanly on SIGTERM or SIGINT.
 */
import { configFromEnv } from "./config";
import { createLogger } from "./logger";
import { startRewriteServer } from "./server";

const config = configFromEnv(process.env);
const logger = createLogger(config.logLevel);

startRewriteServer(config, logger).then(
  (server) => {
    const stop = (signal: string) => {
      logger.info({ signal }, "shutting down");
      server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  },
  (err: unknown) => {
    logger.fatal({ err }, "server failed to start");
    process.exit(1);
  },
);
