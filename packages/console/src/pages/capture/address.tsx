/**
 * Step 2: where the product is installed. The address typed is checked
 * against the operator's address referential (TMF673 geographicAddressValidation):
 * the known address, or the near ones to choose from; the addresses known at
 * the postcode are offered too (TMF673 search).
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, apiList, qs } from '../../api.ts';
import { Button, ErrorBanner, Loading, Notice, TextField } from '../../ui/components.tsx';
import { Choice } from '../orders/parts.tsx';
import { API, list, type Doc } from '../orders/tmf.ts';
import { addressChoice, type AddressChoice } from './model.ts';

interface Form {
  streetName: string;
  streetNr: string;
  postcode: string;
  city: string;
  country: string;
}

const EMPTY: Form = { streetName: '', streetNr: '', postcode: '', city: '', country: 'DE' };

interface Validation {
  validationResult?: string;
  validGeographicAddress?: Doc;
  alternateGeographicAddress?: Doc[];
}

export function AddressStep({ value, onChange }: { value: AddressChoice | undefined; onChange: (a: AddressChoice | undefined) => void }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [problems, setProblems] = useState<Partial<Record<keyof Form, string>>>({});
  const [postcode, setPostcode] = useState('');

  const validate = useMutation({
    mutationFn: (f: Form) => api<Validation>(API.addressValidation, {
      method: 'POST',
      body: {
        provideAlternative: true,
        submittedGeographicAddress: Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== '')),
      },
    }),
    onSuccess: (v) => {
      const valid = v.validGeographicAddress;
      onChange(v.validationResult === 'success' && valid ? addressChoice(valid) : undefined);
    },
  });

  const known = useQuery({
    queryKey: ['capture', 'addresses', postcode],
    queryFn: () => apiList<Doc>(`${API.geographicAddress}${qs({ postcode, sort: 'streetName', limit: 50 })}`),
    enabled: postcode !== '',
  });

  const set = (k: keyof Form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p: Partial<Record<keyof Form, string>> = {};
    if (!form.streetName.trim()) p.streetName = 'Street is required';
    if (!form.postcode.trim() && !form.city.trim()) p.postcode = 'A postcode or a city is required';
    setProblems(p);
    if (Object.keys(p).length > 0) return;
    setPostcode(form.postcode.trim());
    validate.mutate(form);
  };

  const v = validate.data;
  const alternates = list(v?.alternateGeographicAddress);
  const candidates = [...alternates, ...(known.data?.items ?? []).filter((a) => !alternates.some((x) => x['id'] === a['id']))];

  return (
    <>
      <form onSubmit={submit} aria-label="Installation address" noValidate>
        <div className="form-grid">
          <TextField label="Street" value={form.streetName} onChange={set('streetName')} error={problems.streetName ?? null} autoComplete="address-line1" required />
          <TextField label="Number" value={form.streetNr} onChange={set('streetNr')} autoComplete="off" />
          <TextField label="Postcode" value={form.postcode} onChange={set('postcode')} error={problems.postcode ?? null} autoComplete="postal-code" />
          <TextField label="City" value={form.city} onChange={set('city')} autoComplete="address-level2" />
          <TextField label="Country code" value={form.country} onChange={set('country')} maxLength={2} hint="ISO 3166, e.g. DE" autoComplete="country" />
        </div>
        <Button type="submit" variant="primary" busy={validate.isPending}>Check the address</Button>
      </form>
      <ErrorBanner error={validate.error} title="The address could not be checked" />
      {v ? (
        v.validationResult === 'success' && value ? (
          <Notice tone="success">Address known: <strong>{value.line}</strong>{value.accessArea ? `, served from ${value.accessArea}` : ', not served by an access area'}.</Notice>
        ) : (
          <div className="banner banner-error" role="alert">
            {v.validationResult === 'partial' ? 'This address is not known exactly. Did you mean one of the addresses below?' : 'This address is not in the address referential.'}
          </div>
        )
      ) : null}
      {v && v.validationResult !== 'success' ? (
        known.isFetching ? <Loading label="Looking up addresses at this postcode…" /> : candidates.length > 0 ? (
          <fieldset className="plain">
            <legend><strong>Known addresses</strong></legend>
            <ul className="choices">
              {candidates.map((a) => {
                const c = addressChoice(a);
                return (
                  <Choice key={c.id} name="address" value={c.id} checked={value?.id === c.id} onChoose={() => onChange(c)}
                    title={c.line} detail={c.accessArea ? `served from ${c.accessArea}` : 'no access area'} />
                );
              })}
            </ul>
          </fieldset>
        ) : null
      ) : null}
      {value && v?.validationResult !== 'success' ? <Notice tone="success">Chosen: <strong>{value.line}</strong></Notice> : null}
    </>
  );
}
