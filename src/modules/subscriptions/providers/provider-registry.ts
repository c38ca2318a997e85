import { ProviderUnavailable } from '../subscriptions.errors.ts';
import type { PaymentProvider, ProviderName } from './payment-provider.ts';

/** The payment providers configured here, by name. */
export class PaymentProviders {
  readonly #providers: ReadonlyMap<ProviderName, PaymentProvider>;

  constructor(providers: ReadonlyMap<ProviderName, PaymentProvider>) {
    this.#providers = providers;
  }

  has(name: string): boolean {
    return this.#providers.has(name as ProviderName);
  }

  /** The provider, or SUBSCRIPTION_PROVIDER_UNAVAILABLE. */
  get(name: string): PaymentProvider {
    const provider = this.#providers.get(name as ProviderName);
    if (!provider) throw ProviderUnavailable(`Payments through ${name} are not configured here`);
    return provider;
  }

  all(): PaymentProvider[] {
    return [...this.#providers.values()];
  }
}
