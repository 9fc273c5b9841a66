// A list page's filters live in its URL (so a filtered list can be reloaded and shared).
import { useSearchParams } from 'react-router';

/** The page's query parameters, and a setter that drops a filter set to "". */
export function useFilters(): [URLSearchParams, (name: string, value: string) => void] {
  const [params, setParams] = useSearchParams();
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  return [params, set];
}
