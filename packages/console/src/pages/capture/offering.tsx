/**
 * Step 3: what is sold. The launched offerings of the catalog (TMF620) are
 * qualified at the installation address (TMF679 productOfferingQualification,
 * answered at once); the user picks one that is available there and sets the
 * characteristics its product specification defines.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, apiList, qs } from '../../api.ts';
import { Button, ErrorBanner, Field, Loading } from '../../ui/components.tsx';
import type { ProductSpec } from '../catalog/data.ts';
import { Choice } from '../orders/parts.tsx';
import { API, type Characteristic, type Doc } from '../orders/tmf.ts';
import {
  allowedValues, defaultValue, isRequired, parseCharacteristic, qualificationBody, qualificationResult,
  type AddressChoice, type CustomerChoice, type Offering, type Qualification, type SpecCharacteristic,
} from './model.ts';

/** Launched, sellable offerings, then their qualification at the place (one request for all). */
async function qualify(customer: CustomerChoice, address: AddressChoice): Promise<Qualification> {
  const offerings = (await apiList<Offering>(`${API.productOffering}${qs({
    lifecycleStatus: 'Launched', isSellable: 'true', sort: 'name', limit: 200,
    fields: 'id,name,description,productSpecification,prodSpecCharValueUse',
  })}`)).items;
  if (offerings.length === 0) return { id: '', offerings: [] };
  const poq = await api<Doc>(API.qualification, { method: 'POST', body: qualificationBody(customer, address, offerings) });
  return qualificationResult(poq, offerings);
}

export function OfferingStep({ customer, address, offering, characteristics, onBack, onNext }: {
  customer: CustomerChoice;
  address: AddressChoice;
  offering: Offering | undefined;
  characteristics: Characteristic[] | undefined;
  onBack: () => void;
  onNext: (o: { offering: Offering; characteristics: Characteristic[]; qualification: Qualification }) => void;
}) {
  const qualification = useQuery({
    queryKey: ['capture', 'qualification', customer.party.id, address.id],
    queryFn: () => qualify(customer, address),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: false,
  });
  const [chosen, setChosen] = useState<string | undefined>(offering?.id);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries((characteristics ?? []).map((c) => [c.name, String(c.value)])));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string | null>(null);

  const selected = qualification.data?.offerings.find((o) => o.offering.id === chosen)?.offering;
  const specId = selected?.productSpecification?.id;
  const spec = useQuery({
    queryKey: ['productSpecification', specId],
    queryFn: () => api<Pick<ProductSpec, 'id' | 'productSpecCharacteristic'>>(`${API.productSpecification}/${encodeURIComponent(specId!)}`),
    enabled: specId !== undefined,
    staleTime: 60_000,
  });
  const chars = spec.data?.productSpecCharacteristic ?? [];

  // each newly chosen offering starts from its defaults (the ones kept from earlier stay)
  useEffect(() => {
    if (!spec.data || !selected) return;
    setValues((v) => {
      const next: Record<string, string> = {};
      for (const c of spec.data.productSpecCharacteristic ?? []) next[c.name] = v[c.name] !== undefined && offering?.id === selected.id ? v[c.name]! : defaultValue(c, selected, address);
      return next;
    });
    setProblems({});
  }, [spec.data, selected, address, offering?.id]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!selected || !qualification.data) {
      setMissing('Choose an offering available at this address');
      return;
    }
    setMissing(null);
    const p: Record<string, string> = {};
    const out: Characteristic[] = [];
    for (const c of chars) {
      const r = parseCharacteristic(c, values[c.name] ?? '', selected);
      if (r.error) p[c.name] = r.error;
      else if (r.value !== undefined) out.push({ name: c.name, value: r.value, ...(c.valueType ? { valueType: c.valueType } : {}) });
    }
    setProblems(p);
    if (Object.keys(p).length === 0) onNext({ offering: selected, characteristics: out, qualification: qualification.data });
  };

  if (qualification.isPending) return <Loading label={`Checking which offerings can be delivered at ${address.line}…`} />;
  return (
    <form onSubmit={submit} aria-label="Offering and characteristics" noValidate>
      <ErrorBanner error={qualification.error} onRetry={() => void qualification.refetch()} title="The offerings could not be qualified at this address" />
      {qualification.data ? (
        <fieldset className="plain">
          <legend><strong>Offerings at {address.line}</strong></legend>
          {qualification.data.offerings.length === 0 ? <p className="empty">The catalog has no launched offering.</p> : (
            <ul className="choices">
              {qualification.data.offerings.map(({ offering: o, qualified, reason }) => (
                <Choice key={o.id} name="offering" value={o.id} disabled={!qualified} unavailable={!qualified} checked={chosen === o.id} onChoose={() => setChosen(o.id)}
                  title={o.name ?? o.id} detail={qualified ? (o.description ?? 'Available') : `Not available: ${reason}`} />
              ))}
            </ul>
          )}
        </fieldset>
      ) : null}
      {missing ? <p className="field-error" role="alert">{missing}</p> : null}
      {selected ? (
        <>
          <h3>Characteristics of {selected.name ?? selected.id}</h3>
          <ErrorBanner error={spec.error} title="The product specification could not be read" />
          {spec.isPending ? <Loading label="Loading the product specification…" /> : (
            <div className="form-grid">
              {chars.map((c) => (
                <CharacteristicField key={c.name} spec={c} offering={selected} value={values[c.name] ?? ''} error={problems[c.name]}
                  onChange={(v) => setValues({ ...values, [c.name]: v })} />
              ))}
              {chars.length === 0 ? <p className="muted">This offering has nothing to configure.</p> : null}
            </div>
          )}
        </>
      ) : null}
      <div className="step-actions">
        <Button onClick={onBack}>Back</Button>
        <Button type="submit" variant="primary" disabled={!qualification.data}>Get a quote</Button>
      </div>
    </form>
  );
}

function CharacteristicField({ spec, offering, value, error, onChange }: {
  spec: SpecCharacteristic;
  offering: Offering;
  value: string;
  error: string | undefined;
  onChange: (v: string) => void;
}) {
  const values = allowedValues(spec, offering).filter((v) => v.valueFrom === undefined && v.valueTo === undefined);
  const type = (spec.valueType ?? 'string').toLowerCase();
  const label = `${spec.name}${isRequired(spec) ? '' : ' (optional)'}`;
  const hint = [spec.description, spec.configurable === false ? 'set by the offering' : undefined].filter(Boolean).join(' — ');
  return (
    <Field label={label} hint={hint || undefined} error={error ?? null}>
      {(p) => values.length > 0 || type === 'boolean' ? (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)} required={isRequired(spec)}>
          {!isRequired(spec) || value === '' ? <option value="">{isRequired(spec) ? 'Choose…' : 'Not set'}</option> : null}
          {(values.length > 0 ? values : [{ value: true }, { value: false }]).map((v) => (
            <option key={String(v.value)} value={String(v.value)}>
              {typeof v.value === 'boolean' ? (v.value ? 'yes' : 'no') : `${String(v.value)}${'unitOfMeasure' in v && v.unitOfMeasure ? ` ${v.unitOfMeasure}` : ''}`}
            </option>
          ))}
        </select>
      ) : (
        <input {...p} type={['integer', 'number', 'float', 'decimal'].includes(type) ? 'number' : 'text'} value={value} onChange={(e) => onChange(e.target.value)} required={isRequired(spec)} />
      )}
    </Field>
  );
}
