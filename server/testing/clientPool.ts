import { TestClient } from "./testClient";

/** The clients one test file joins, closed together when the file ends. */
export class ClientPool {
  private readonly clients: TestClient[] = [];

  /** `url` is read at each join, so the server may start after the pool. */
  constructor(private readonly url: () => string) {}

  /** Joins a session, waits for its first sync, and keeps the client. */
  readonly join = async (sessionId: string, token: string): Promise<TestClient> => {
    return this.keep(await TestClient.synced(this.url(), sessionId, token));
  };

  /** Keeps a client joined some other way, so that it is closed too. */
  keep(client: TestClient): TestClient {
    this.clients.push(client);
    return client;
  }

  closeAll(): void {
    for (const client of this.clients.splice(0)) client.close();
  }
}
