"""The suite's one fixture style: factory_boy factories, one module per app area, all importable
from ``tests.factories``. Rows are built directly (fast); tests of a service call the service."""

from tests.factories.catalog import (
    CatalogFactory,
    CategoryFactory,
    PriceAlterationFactory,
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
    ProductSpecificationFactory,
    ServiceSpecificationFactory,
    SpecCharacteristicFactory,
    bundle,
)
from tests.factories.credit import BureauRuleFactory, CreditPolicyFactory
from tests.factories.customers import (
    AddressFactory,
    BillCycleFactory,
    BillingAccountFactory,
    ContactFactory,
    ContactMediumFactory,
    CustomerFactory,
    IndividualFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
    customer_user,
    staff_user,
)
from tests.factories.feasibility import CoverageAreaFactory, FeasibilityRuleFactory
from tests.factories.ordering import (
    ActivationStepFactory,
    MilestoneStatusFactory,
    OrderTypeFactory,
    OrderTypeStepFactory,
    activatable_offering,
    orderable_customer,
)
from tests.factories.platform import ApprovalPolicyFactory, HubSubscriptionFactory, TokenFactory
from tests.factories.service_activation import ResourceFactory, ResourcePoolFactory, number_pool

__all__ = [
    "ActivationStepFactory", "MilestoneStatusFactory", "OrderTypeFactory", "OrderTypeStepFactory",
    "activatable_offering", "orderable_customer",
    "AddressFactory", "ApprovalPolicyFactory", "BillCycleFactory", "BillingAccountFactory", "BureauRuleFactory", "CatalogFactory",
    "CategoryFactory", "ContactFactory", "ContactMediumFactory", "CoverageAreaFactory", "CreditPolicyFactory",
    "CustomerFactory", "FeasibilityRuleFactory", "HubSubscriptionFactory", "IndividualFactory", "OrganizationFactory",
    "PriceAlterationFactory", "ProductFactory", "ProductOfferingFactory", "ProductOfferingPriceFactory",
    "ProductSpecificationFactory", "ServiceSpecificationFactory", "SpecCharacteristicFactory", "TokenFactory", "UserFactory",
    "bundle", "customer_user", "staff_user",
    "ResourceFactory", "ResourcePoolFactory", "number_pool",
]
