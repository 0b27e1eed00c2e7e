/**
 * Runs `server/main.ts` as a child process (via tsx), the way `npm run
 * serve` does, and finds its port in the startup log.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { REPO_ROOT } from "./testServer";

export interface ChildServer {
  readonly process: ChildProcess;
  readonly url: string;
  /** Everything the process wrote, for failure messages. */
  readonly output: () => string;
}

export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: REPO_ROOT,
    // The port is read from the info-level startup line, so LOG_LEVEL stays info.
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", REWRITE_NEXT: "0", ...env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start:\n${output}`));
    }, 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"server listening"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return { process: child, url, output: () => output };
}

/** Sends `signal` and resolves when the process has exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill(signal);
  });
}
