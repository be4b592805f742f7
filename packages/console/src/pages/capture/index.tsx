/**
 * Order capture, the guided flow of the sales role: customer and billing
 * account, installation address, offering and characteristics (qualified at
 * the address), quote, order. Each step checks what it needs before the next
 * one opens; the step indicator says where the user is; the flow ends on the
 * page of the order placed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate } from '@tanstack/react-router';
import { useSession } from '../../session.tsx';
import { Button, Notice, PageHeader, Section } from '../../ui/components.tsx';
import '../orders/orders.css';
import type { Ref } from '../orders/tmf.ts';
import { AddressStep } from './address.tsx';
import { CustomerStep } from './customer.tsx';
import type { AddressChoice, CustomerChoice, Draft } from './model.ts';
import { OfferingStep } from './offering.tsx';
import { QuoteStep, ReviewStep } from './quote.tsx';

const STEPS = ['Customer', 'Address', 'Offering', 'Quote', 'Order'] as const;

export function CapturePage() {
  const { can, confined } = useSession();
  const navigate = useNavigate();
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<Draft>({});
  const [problem, setProblem] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  // the step's heading takes the focus, so that keyboard and screen reader users start at the new step
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [step]);

  const go = (n: number) => {
    setProblem(null);
    setStep(n);
  };
  const onCustomer = useCallback((customer: CustomerChoice | undefined) => {
    setDraft((d) => (d.customer?.customerId === customer?.customerId ? d : { ...(customer ? { customer } : {}) }));
  }, []);
  const onBillingAccount = useCallback((billingAccount: Ref | undefined) => {
    setDraft((d) => {
      const { billingAccount: _old, quote: _q, ...rest } = d;
      return { ...rest, ...(billingAccount ? { billingAccount } : {}) };
    });
  }, []);
  const onAddress = useCallback((address: AddressChoice | undefined) => {
    setDraft((d) => {
      if (d.address?.id === address?.id) return d;
      const { address: _a, qualification: _q, offering: _o, characteristics: _c, quote: _quote, ...rest } = d;
      return { ...rest, ...(address ? { address } : {}) };
    });
  }, []);

  if (!can('productOrderingManagement', 'create') || confined) {
    return (
      <>
        <PageHeader title="New order" />
        <Notice>Placing orders for customers is the sales role's: your role cannot capture orders here.</Notice>
      </>
    );
  }

  const { customer, billingAccount, address, offering, characteristics, quote, qualification } = draft;

  return (
    <>
      <PageHeader title="New order" subtitle="Customer, address, offering, quote, order" />
      <nav aria-label="Order capture steps">
        <ol className="steps">
          {STEPS.map((s, i) => (
            <li key={s} className={i < step ? 'done' : ''} aria-current={i === step ? 'step' : undefined}>
              {s}{i < step ? <span className="visually-hidden"> (done)</span> : null}
            </li>
          ))}
        </ol>
      </nav>
      <Section title={<span ref={heading} tabIndex={-1}>{`Step ${step + 1} of ${STEPS.length}: ${STEP_TITLES[step]}`}</span>}>
        {step === 0 ? (
          <>
            <CustomerStep customer={customer} billingAccount={billingAccount} onCustomer={onCustomer} onBillingAccount={onBillingAccount} />
            {problem ? <p className="field-error" role="alert">{problem}</p> : null}
            <div className="step-actions">
              <span />
              <Button variant="primary" onClick={() => {
                if (!customer) return setProblem('Choose or create the customer first');
                if (!billingAccount) return setProblem('Choose or open the billing account the order is charged to');
                go(1);
              }}>Continue</Button>
            </div>
          </>
        ) : null}
        {step === 1 ? (
          <>
            <AddressStep value={address} onChange={onAddress} />
            {problem ? <p className="field-error" role="alert">{problem}</p> : null}
            <div className="step-actions">
              <Button onClick={() => go(0)}>Back</Button>
              <Button variant="primary" onClick={() => (address ? go(2) : setProblem('Check the address and choose a known one'))}>Continue</Button>
            </div>
          </>
        ) : null}
        {step === 2 && customer && address ? (
          <OfferingStep customer={customer} address={address} offering={offering} characteristics={characteristics}
            onBack={() => go(1)}
            onNext={(o) => {
              setDraft((d) => ({ ...d, offering: o.offering, characteristics: o.characteristics, qualification: o.qualification }));
              go(3);
            }} />
        ) : null}
        {step === 3 && customer && address && offering && characteristics ? (
          <QuoteStep customer={customer} billingAccount={billingAccount} address={address} offering={offering} characteristics={characteristics} qualification={qualification}
            onBack={() => go(2)}
            onNext={(q) => {
              setDraft((d) => ({ ...d, quote: q }));
              go(4);
            }} />
        ) : null}
        {step === 4 && customer && billingAccount && address && quote ? (
          <ReviewStep customer={customer} billingAccount={billingAccount} address={address} quote={quote}
            onBack={() => go(3)}
            onPlaced={(order) => void navigate({ to: '/orders/$orderId', params: { orderId: order.id } })} />
        ) : null}
      </Section>
    </>
  );
}

const STEP_TITLES = ['the customer and billing account', 'the installation address', 'the offering and its characteristics', 'the quote', 'review and place the order'];
