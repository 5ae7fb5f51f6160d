/**
 * The PolarisApi for the whole component tree. Views never reach for window.polaris or a socket: they
 * take the api from here, so the same components run in Electron, in a browser and in tests.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { PolarisApi } from '../../../shared/api';

/** Electron has native file dialogs; a browser page can only take typed paths. */
export type BackendKind = 'electron' | 'websocket';

interface ApiContextValue {
  api: PolarisApi;
  kind: BackendKind;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({ api, kind, children }: { api: PolarisApi; kind: BackendKind; children: ReactNode }) {
  return <ApiContext.Provider value={{ api, kind }}>{children}</ApiContext.Provider>;
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (value === null) throw new Error('useApi() needs an <ApiProvider> above it');
  return value;
}

export function useApi(): PolarisApi {
  return useApiContext().api;
}

export function useBackendKind(): BackendKind {
  return useApiContext().kind;
}
