import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { StaffProduct } from '../api/types';
import { ProblemNote } from './ui';
import { useApi } from '../session';

const TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_BYTES = 10 * 1024 * 1024;

/**
 * Upload through the presigned URL the API hands out (the file goes straight to S3 with
 * exactly the type and size it was signed for), then attach it; the worker makes the sizes.
 */
export function ProductImages({ product }: { product: StaffProduct }) {
  const api = useApi();
  const queries = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [alt, setAlt] = useState('');
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const refresh = () => queries.invalidateQueries({ queryKey: ['product', product.id] });

  const upload = async () => {
    if (!file) return;
    if (!TYPES.includes(file.type)) return setError(new Error('JPEG, PNG or WebP only'));
    if (file.size > MAX_BYTES) return setError(new Error('At most 10 MB'));
    setError(null);
    try {
      setBusy('Asking for an upload address…');
      const slot = await api.request<{ upload_url: string; key: string }>('POST', `/admin/products/${product.id}/images/uploads`, {
        content_type: file.type,
        size: file.size,
      });
      setBusy('Uploading…');
      const put = await fetch(slot.upload_url, { method: 'PUT', headers: { 'content-type': file.type }, body: file });
      if (!put.ok) throw new Error(`The upload was refused (${put.status})`);
      setBusy('Attaching…');
      await api.request('POST', `/admin/products/${product.id}/images`, { key: slot.key, alt });
      setFile(null);
      setAlt('');
      await refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  /** Moves one image a place earlier (-1) or later (+1) in the storefront's order. */
  const move = async (index: number, by: -1 | 1) => {
    const ids = product.images.map((i) => i.id);
    const to = index + by;
    if (to < 0 || to >= ids.length) return;
    [ids[index], ids[to]] = [ids[to], ids[index]];
    setError(null);
    try {
      const saved = await api.request<StaffProduct>('PUT', `/admin/products/${product.id}/images/order`, { ids });
      queries.setQueryData(['product', product.id], saved);
    } catch (e) {
      setError(e);
      await refresh();
    }
  };

  const remove = async (imageId: string) => {
    setError(null);
    try {
      await api.request('DELETE', `/admin/products/${product.id}/images/${imageId}`);
      await refresh();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="images-h">
      <h2 id="images-h">Images</h2>
      <ul className="images">
        {product.images.map((img, i) => (
          <li key={img.id}>
            <img src={img.sizes?.thumbnail.url ?? img.url} alt={img.alt} width={120} height={120} loading="lazy" />
            <span>
              {i + 1}. {img.sizes ? 'sized' : 'sizing…'}
            </span>
            <span className="inline">
              <button type="button" onClick={() => void move(i, -1)} disabled={i === 0} aria-label={`Move image ${img.alt || i + 1} earlier`}>
                ←
              </button>
              <button
                type="button"
                onClick={() => void move(i, 1)}
                disabled={i === product.images.length - 1}
                aria-label={`Move image ${img.alt || i + 1} later`}
              >
                →
              </button>
            </span>
            <button type="button" className="danger" onClick={() => void remove(img.id)}>
              Delete image {img.alt || img.id}
            </button>
          </li>
        ))}
      </ul>
      <div className="upload">
        <label htmlFor="image-file">Image file</label>
        <input id="image-file" type="file" accept={TYPES.join(',')} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <label htmlFor="image-alt">Alt text</label>
        <input id="image-alt" value={alt} onChange={(e) => setAlt(e.target.value)} />
        {preview && <img className="preview" src={preview} alt="Preview of the chosen file" width={160} />}
        <button type="button" onClick={() => void upload()} disabled={!file || busy !== null}>
          {busy ?? 'Upload image'}
        </button>
      </div>
      <ProblemNote error={error} />
    </section>
  );
}
