declare module 'heroku-client' {
  interface HerokuOptions {
    token?: string;
    host?: string;
    headers?: Record<string, string>;
    timeout?: number;
    debug?: boolean;
    userAgent?: string;
  }
  interface RequestOptions {
    body?: unknown;
    headers?: Record<string, string>;
    partial?: boolean;
  }
  export default class Heroku {
    constructor(options?: HerokuOptions);
    get<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
    post<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
    patch<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
    put<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
    delete<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  }
}
