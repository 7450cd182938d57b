//! Supported `api-version` values per resource-type family, as the real Azure
//! Resource Manager (ARM) accepts them.
//!
//! Every list is sorted ascending (plain string order, which for ARM's
//! `YYYY-MM-DD[-preview]` spelling is chronological, with a bare date sorting
//! before its `-preview` twin) and each entry is spelled exactly as ARM spells
//! it in the `api-version` query parameter.
//!
//! # Where the lists come from
//!
//! Research done against the `Azure/azure-rest-api-specs` repository (the
//! `readme.md` tag lists plus the `stable/` and `preview/` version folders),
//! the published Python management SDKs on PyPI, and real ARM error messages
//! quoted in public GitHub issues:
//!
//! * [`HYBRIDCOMPUTE_PRIVATE_LINK_SCOPES`] —
//!   `specification/hybridcompute/resource-manager/Microsoft.HybridCompute/HybridCompute/readme.md`
//!   (tags whose input files include `privateLinkScopes.json`, plus the TypeSpec
//!   `openapi.json` versions 2025-09-16-preview and later, whose examples contain
//!   `privateLinkScope/*`). Versions 2019-03-18 … 2020-08-02 and
//!   2020-07-30-preview only carry `machines` and are excluded.
//!   Note: `2025-06-01` lives in the `preview/2025-06-01` folder but its
//!   examples send `api-version=2025-06-01` (no `-preview` suffix), so it is
//!   listed as spelled there.
//! * [`KUBERNETES_CONNECTED_CLUSTERS`] —
//!   `specification/hybridkubernetes/resource-manager/Microsoft.Kubernetes/HybridKubernetes/readme.md`.
//!   The old-layout `preview/2021-03-01-preview` spec is deliberately left out:
//!   a real ARM error (Azure/azure-cli-extensions#5384, 2022) lists the
//!   service's versions as `2020-01-01-preview, 2021-03-01, 2021-04-01-preview,
//!   2021-10-01, 2022-05-01-preview`, i.e. without it. `properties.privateLinkState`
//!   exists from `2021-04-01-preview` on (it is absent from stable `2021-10-01`).
//! * [`KUBERNETES_CONFIGURATION_EXTENSIONS`] —
//!   `specification/kubernetesconfiguration/resource-manager/readme.md`,
//!   `.../Microsoft.KubernetesConfiguration/legacy/readme.md` and
//!   `.../Microsoft.KubernetesConfiguration/extensions/readme.md` plus the
//!   `extensions/preview/2024-11-02-preview/extensions.json` folder (only tags
//!   whose input files include `extensions.json`).
//! * [`EXTENDED_LOCATION_CUSTOM_LOCATIONS`] —
//!   `specification/extendedlocation/resource-manager/Microsoft.ExtendedLocation/CustomLocations/readme.md`.
//!   The `2020-07-15-privatepreview` folder is a private preview and is excluded.
//! * [`RESOURCES`] — copied verbatim (then sorted) from a real ARM
//!   `InvalidApiVersionParameter` message (Azure/azure-cli-extensions#8865,
//!   June 2025; the same list, same head, still appears in
//!   Azure/azure-cli-extensions#9789, April 2026). It is the single list ARM
//!   itself applies to `Microsoft.Resources` routes (resource groups,
//!   subscriptions, providers, tags, …) and is a superset of the spec tags in
//!   `specification/resources/resource-manager/Microsoft.Resources/{resources,subscriptions}/readme.md`
//!   (resources: 2015-11-01 … 2025-04-01; subscriptions: 2015-11-01 … 2022-12-01).
//!   The odd entries `2014-02-26` and `2014-04` are genuinely part of ARM's list.
//! * [`NETWORK`] (virtualNetworks, networkSecurityGroups, privateEndpoints):
//!   stable versions from 2018 on. Up to `2023-09-01` taken from real
//!   `NoRegisteredProviderFound` messages for `virtualNetworks`,
//!   `networkInterfaces` and `privateEndpoints` (Azure/azure-cli#17545, #27010,
//!   #28496, PR #31868); this adds service-only versions with no spec folder
//!   (`2018-05-01`, `2020-01-01`, `2021-01-01`, `2021-04-01`, `2021-06-01`,
//!   `2021-12-01`). From `2023-11-01` on taken from the spec folders
//!   `specification/network/resource-manager/Microsoft.Network/{,Network/}stable/<version>/`
//!   (2023-11-01, 2024-01-01, 2024-03-01, 2024-05-01, 2024-07-01, 2024-10-01,
//!   2025-01-01, 2025-03-01, 2025-05-01, 2025-07-01, 2025-09-01; default tag is
//!   `package-2025-09-01`). Caveat: in July 2025 the live service still rejected
//!   `2025-01-01` for `virtualNetworks` (Azure/azure-cli PR #31868), so the
//!   newest spec versions can lag in production. `privateEndpoints` only exists
//!   from `2019-02-01`; this emulator uses one list for the whole family.
//! * [`PRIVATE_DNS`] —
//!   `specification/privatedns/resource-manager/Microsoft.Network/PrivateDns/readme.md`
//!   (stable 2018-09-01, 2020-01-01, 2020-06-01, 2024-06-01; preview
//!   2026-06-01-preview is the current default tag but is spec-only so far).
//!
//! # Entries added from SDK defaults
//!
//! The SDK defaults were checked by downloading the wheels from PyPI and
//! reading the generated `_operations.py` / `_configuration.py`:
//!
//! * `azure-mgmt-hybridcompute==10.0.0` (latest) sends `api-version=2026-07-15`
//!   on every operation (65 request builders). `2026-07-15` turned out to be
//!   present in the stored specs too (`stable/2026-07-15/openapi.json`), so no
//!   entry had to be added that the specs lack.
//! * `azure-mgmt-hybridkubernetes==2.0.0` (latest) sends `api-version=2026-05-01`
//!   (also present in the specs: `stable/2026-05-01/connectedClusters.json`).
//! * `azure-mgmt-resource==26.0.0` (latest, 2026-06-24; `ResourceManagementClient`)
//!   sends `api-version=2025-04-01` for resource groups (and every other
//!   operation in that package). Subscriptions moved to the separate
//!   `azure-mgmt-resource-subscriptions` package; both `2022-12-01` and
//!   `2016-06-01` are in [`RESOURCES`].
//!
//! Long-running operations in those SDKs (all use `ARMPolling`, i.e. follow
//! `Azure-AsyncOperation` then `Location`):
//! `ConnectedClusterOperations.begin_create_or_replace` (PUT, initial 200/201),
//! `begin_update_async` (PATCH, 200/202) and `begin_delete` (200/202/204);
//! `PrivateLinkScopesOperations.begin_delete` (200/202/204) while
//! `create_or_update` (200/201) and `update_tags` (200) are synchronous;
//! `PrivateEndpointConnectionsOperations.begin_create_or_update` (PUT, 200/202)
//! and `begin_delete` (200/202/204); `ResourceGroupsOperations.begin_delete`
//! (200/202) while `create_or_update` (200/201) is synchronous.
//!
//! # ARM error formats
//!
//! All are HTTP 400 with body `{"error":{"code":"<code>","message":"<message>"}}`.
//!
//! * **MissingApiVersionParameter** — *verified* (MicrosoftDocs/feedback#2279,
//!   cloudquery/cloudquery#6626 which shows `RESPONSE 400`, Azure/azure-dev#3914):
//!   `The api-version query parameter (?api-version=) is required for all requests.`
//!
//! * **InvalidApiVersionParameter** — *verified* for routes ARM handles itself
//!   (`Microsoft.Resources`: resource groups, subscriptions, providers; also
//!   malformed paths that fall through to it, e.g. a full resource ID passed as
//!   a resource-group name) (Azure/azure-cli-extensions#8865 and #9789,
//!   Azure/azure-sdk-for-python#975, Azure/azure-powershell#6031,
//!   ansible-collections/azure#1739, coreos/tectonic-installer#1315 which shows
//!   `StatusCode=400`):
//!   `The api-version '{requested}' is invalid. The supported versions are '{list}'.`
//!   where `{list}` is joined with `","` (no space) in ARM's registration
//!   order, newest first (e.g. `'2025-04-01,2025-03-01,2024-10-01-preview,2024-11-01,…,2013-03-01,2014-02-26,2014-04'`).
//!   There is **no** "The supported locations are …" clause in this message;
//!   no real example containing one was found (the form with locations belongs
//!   to `NoRegisteredProviderFound` below).
//!
//! * **NoRegisteredProviderFound** — *verified* for resource-provider types
//!   such as `Microsoft.Kubernetes/connectedClusters` and `Microsoft.Network/*`
//!   (Azure/azure-cli-extensions#5384, Azure/azure-cli#27010, #28496, #17545,
//!   PR #31868, turbot/steampipe-plugin-azure#379 which shows `StatusCode=400`):
//!   `No registered resource provider found for location '{location}' and API version '{requested}' for type '{type}'. The supported api-versions are '{list}'. The supported locations are '{locations}'.`
//!   where `{type}` is the type without namespace (`connectedClusters`,
//!   `virtualNetworks`, `virtualMachineScaleSets/networkInterfaces`),
//!   `{location}` is the normalized location (`westeurope`), `{list}` is joined
//!   with `", "` (comma + space) in ascending order in recent messages, and
//!   `{locations}` is the type's normalized locations joined with `", "`
//!   (empty string, i.e. `''`, for types registered without locations).
//!
//! * **InvalidResourceType** — *verified* text, status 400 *inferred*
//!   (Azure/azure-cli-extensions#7069):
//!   `The resource type could not be found in the namespace '{namespace}' for api version '{requested}'.`
//!   Variant naming the type (Azure/azure-powershell#12061):
//!   `The resource type '{type}' could not be found in the namespace '{namespace}' for api version '{requested}'.`
//!   *Inferred*: ARM uses this when the requested api-version is not registered
//!   for the type at all in the manifest lookup it performs (e.g. location-scoped
//!   proxy types), and `NoRegisteredProviderFound` when the type is known but
//!   not at that version/location.

/// `Microsoft.HybridCompute/privateLinkScopes` and its
/// `privateEndpointConnections` / `privateLinkResources` sub-resources
/// (stable and preview versions that contain privateLinkScopes).
/// Stable: 2021-05-20, 2022-03-10, 2022-11-10, 2022-12-27, 2024-07-10,
/// 2025-01-13, 2026-07-15 (azure-mgmt-hybridcompute 10.0.0 default), 2026-09-01.
pub const HYBRIDCOMPUTE_PRIVATE_LINK_SCOPES: &[&str] = &[
    "2020-08-15-preview",
    "2021-01-28-preview",
    "2021-03-25-preview",
    "2021-04-22-preview",
    "2021-05-17-preview",
    "2021-05-20",
    "2021-06-10-preview",
    "2021-12-10-preview",
    "2022-03-10",
    "2022-05-10-preview",
    "2022-08-11-preview",
    "2022-11-10",
    "2022-12-27",
    "2022-12-27-preview",
    "2023-03-15-preview",
    "2023-06-20-preview",
    "2023-10-03-preview",
    "2024-03-31-preview",
    "2024-05-20-preview",
    "2024-07-10",
    "2024-07-31-preview",
    "2024-09-10-preview",
    "2024-11-10-preview",
    "2025-01-13",
    "2025-02-19-preview",
    "2025-06-01",
    "2025-08-21-preview",
    "2025-09-16-preview",
    "2026-02-12-preview",
    "2026-06-04-preview",
    "2026-06-16-preview",
    "2026-07-15",
    "2026-09-01",
];

/// `Microsoft.Kubernetes/connectedClusters`. `2026-05-01` is the
/// azure-mgmt-hybridkubernetes 2.0.0 default; `privateLinkState` exists from
/// `2021-04-01-preview` on.
pub const KUBERNETES_CONNECTED_CLUSTERS: &[&str] = &[
    "2020-01-01-preview",
    "2021-03-01",
    "2021-04-01-preview",
    "2021-10-01",
    "2022-05-01-preview",
    "2022-10-01-preview",
    "2023-11-01-preview",
    "2024-01-01",
    "2024-02-01-preview",
    "2024-06-01-preview",
    "2024-07-01-preview",
    "2024-07-15-preview",
    "2024-12-01-preview",
    "2025-08-01-preview",
    "2025-12-01-preview",
    "2026-02-01-preview",
    // Stable swagger `Microsoft.Kubernetes/stable/2026-03-01` (UpdateClusterByPatchExample).
    "2026-03-01",
    "2026-05-01",
];

/// `Microsoft.KubernetesConfiguration/extensions`.
pub const KUBERNETES_CONFIGURATION_EXTENSIONS: &[&str] = &[
    "2020-07-01-preview",
    "2021-05-01-preview",
    "2021-09-01",
    "2021-11-01-preview",
    "2022-01-01-preview",
    "2022-03-01",
    "2022-04-02-preview",
    "2022-07-01",
    "2022-11-01",
    "2023-05-01",
    "2024-11-01",
    "2024-11-02-preview",
    "2025-03-01",
];

/// `Microsoft.KubernetesConfiguration/fluxConfigurations`: the version folders of
/// `specification/kubernetesconfiguration/resource-manager/Microsoft.KubernetesConfiguration/fluxConfigurations/`
/// (`stable/2022-03-01` … `stable/2025-04-01`, `preview/2026-07-01-preview`).
pub const KUBERNETES_CONFIGURATION_FLUX: &[&str] =
    &["2022-03-01", "2022-07-01", "2022-11-01", "2023-05-01", "2024-11-01", "2025-04-01", "2026-07-01-preview"];

/// `Microsoft.ExtendedLocation/customLocations`.
pub const EXTENDED_LOCATION_CUSTOM_LOCATIONS: &[&str] =
    &["2021-03-15-preview", "2021-08-15", "2021-08-31-preview", "2024-09-15-preview"];

/// `Microsoft.Resources` (resource groups, subscriptions, providers): the
/// list ARM itself reports in `InvalidApiVersionParameter`. `2025-04-01` is the
/// azure-mgmt-resource 26.0.0 default for resource groups.
pub const RESOURCES: &[&str] = &[
    "2013-03-01",
    "2014-01-01",
    "2014-02-26",
    "2014-04",
    "2014-04-01",
    "2014-04-01-preview",
    "2015-01-01",
    "2015-11-01",
    "2016-02-01",
    "2016-06-01",
    "2016-07-01",
    "2016-09-01",
    "2017-03-01",
    "2017-05-01",
    "2017-05-10",
    "2017-06-01",
    "2017-08-01",
    "2017-12-01",
    "2018-01-01",
    "2018-02-01",
    "2018-05-01",
    "2018-06-01",
    "2018-07-01",
    "2018-08-01",
    "2018-09-01",
    "2018-11-01",
    "2019-03-01",
    "2019-05-01",
    "2019-05-10",
    "2019-06-01",
    "2019-07-01",
    "2019-08-01",
    "2019-09-01",
    "2019-10-01",
    "2019-11-01",
    "2020-01-01",
    "2020-05-01",
    "2020-06-01",
    "2020-07-01",
    "2020-08-01",
    "2020-09-01",
    "2020-10-01",
    "2021-01-01",
    "2021-04-01",
    "2022-01-01",
    "2022-03-01-preview",
    "2022-05-01",
    "2022-06-01",
    "2022-09-01",
    "2022-11-01-preview",
    "2022-12-01",
    "2023-03-01-preview",
    "2023-07-01",
    "2023-07-01-preview",
    "2024-03-01",
    "2024-06-01-preview",
    "2024-07-01",
    "2024-08-01",
    "2024-10-01-preview",
    "2024-11-01",
    "2025-03-01",
    "2025-04-01",
];

/// `Microsoft.Network` (virtualNetworks, networkSecurityGroups,
/// privateEndpoints): stable versions from 2018 on.
pub const NETWORK: &[&str] = &[
    "2018-01-01",
    "2018-02-01",
    "2018-03-01",
    "2018-04-01",
    "2018-05-01",
    "2018-06-01",
    "2018-07-01",
    "2018-08-01",
    "2018-10-01",
    "2018-11-01",
    "2018-12-01",
    "2019-02-01",
    "2019-04-01",
    "2019-06-01",
    "2019-07-01",
    "2019-08-01",
    "2019-09-01",
    "2019-11-01",
    "2019-12-01",
    "2020-01-01",
    "2020-03-01",
    "2020-04-01",
    "2020-05-01",
    "2020-06-01",
    "2020-07-01",
    "2020-08-01",
    "2020-11-01",
    "2021-01-01",
    "2021-02-01",
    "2021-03-01",
    "2021-04-01",
    "2021-05-01",
    "2021-06-01",
    "2021-08-01",
    "2021-12-01",
    "2022-01-01",
    "2022-05-01",
    "2022-07-01",
    "2022-09-01",
    "2022-11-01",
    "2023-02-01",
    "2023-04-01",
    "2023-05-01",
    "2023-06-01",
    "2023-09-01",
    "2023-11-01",
    "2024-01-01",
    "2024-03-01",
    "2024-05-01",
    "2024-07-01",
    "2024-10-01",
    "2025-01-01",
    "2025-03-01",
    "2025-05-01",
    "2025-07-01",
    "2025-09-01",
    // azure-mgmt-network 33.0.0 / 33.1.0 defaults (spec folders stable/2026-01-01, stable/2026-03-01).
    "2026-01-01",
    "2026-03-01",
];

/// `Microsoft.Network/privateDnsZones` (and virtualNetworkLinks).
pub const PRIVATE_DNS: &[&str] = &["2018-09-01", "2020-01-01", "2020-06-01", "2024-06-01", "2026-06-01-preview"];

/// `Microsoft.Network/dnsResolvers` and `dnsResolvers/inboundEndpoints`
/// (DNS Private Resolver).
///
/// Source: `Azure/azure-rest-api-specs`,
/// `specification/dnsresolver/resource-manager/Microsoft.Network/DnsResolver/readme.md`
/// (tags `package-2020-04-preview`, `package-2022-07`, `package-preview-2023-07`,
/// `package-2025-05`, `package-preview-2025-10`) plus the
/// `preview/2026-07-01-preview/openapi.json` folder (spec-only so far; its
/// examples send `api-version=2026-07-01-preview`). Every version contains both
/// `DnsResolvers_*` and `InboundEndpoints_*` operations. `2025-05-01` is the
/// `azure-mgmt-dnsresolver==1.1.0` (latest) default. A real ARM
/// `NoRegisteredProviderFound` from 2022 (Azure/azure-powershell#19119) shows
/// the service once listed only `2020-04-01-preview` for `dnsResolvers`, i.e.
/// the live service can lag the specs.
pub const DNS_RESOLVERS: &[&str] = &[
    "2020-04-01-preview",
    "2022-07-01",
    "2023-07-01-preview",
    "2025-05-01",
    "2025-10-01-preview",
    "2026-07-01-preview",
];
