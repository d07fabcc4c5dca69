/**
 * One multipart upload with progress. `fetch` cannot report upload progress, so this is an
 * XMLHttpRequest; `Api.upload` wraps it with the same bearer token and refresh-on-401 as every
 * other call. A network failure rejects with a `TypeError` (as `fetch` does), a cancel with an
 * `AbortError` DOMException.
 */
export interface XhrAnswer {
  status: number;
  data: unknown;
  retryAfter: string | null;
}

export interface UploadOptions {
  /** Bytes of the request sent so far, of its total. */
  onProgress?(loaded: number, total: number): void;
  signal?: AbortSignal;
}

export function xhrUpload(url: string, file: Blob, name: string, token: string | null, opts: UploadOptions = {}): Promise<XhrAnswer> {
  return new Promise((resolve, reject) => {
    const abortError = (): DOMException => new DOMException('The upload was cancelled.', 'AbortError');
    if (opts.signal?.aborted) {
      reject(abortError());
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    if (token !== null) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'text';
    const onAbort = (): void => xhr.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => opts.signal?.removeEventListener('abort', onAbort);
    if (opts.onProgress) {
      const report = opts.onProgress;
      xhr.upload.addEventListener('progress', (ev) => {
        if (ev.lengthComputable) report(ev.loaded, ev.total);
      });
    }
    xhr.addEventListener('load', () => {
      cleanup();
      let data: unknown = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      resolve({ status: xhr.status, data, retryAfter: xhr.getResponseHeader('Retry-After') });
    });
    xhr.addEventListener('error', () => {
      cleanup();
      reject(new TypeError('Network error during the upload.'));
    });
    xhr.addEventListener('abort', () => {
      cleanup();
      reject(abortError());
    });
    const form = new FormData();
    form.append('file', file, name);
    xhr.send(form);
  });
}
