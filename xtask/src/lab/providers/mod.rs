//! Cluster providers behind one trait: kind (default) and minikube.

pub mod kind;
pub mod minikube;

use std::path::Path;

use crate::exit::Failure;
use crate::tools::Cmd;

use super::ingress::Ingress;
use super::plan::{Ctx, Step};
use super::spec::ProviderKind;

/// What the lab needs from a cluster tool.
pub trait Provider: Send + Sync {
    fn name(&self) -> &'static str;
    /// Programs this provider runs (besides docker, kubectl, helm).
    fn tools(&self) -> &'static [&'static str];
    /// A command whose output lists existing clusters (see [`Provider::parse_clusters`]).
    fn list_clusters(&self) -> Cmd;
    fn parse_clusters(&self, stdout: &str) -> Vec<String>;
    /// Steps that create the cluster with an isolated kubeconfig; the step
    /// that may leave a cluster behind has `creates_cluster` set.
    fn create_steps(&self, ctx: &Ctx, ingress: &dyn Ingress) -> Result<Vec<Step>, Failure>;
    /// Loads an image archive (from `docker save`) into every node.
    fn load_image(&self, ctx: &Ctx, archive: &Path) -> Cmd;
    /// Exports node and cluster logs into `dir`.
    fn export_logs(&self, ctx: &Ctx, dir: &Path) -> Cmd;
    /// Deletes the cluster named in `ctx` (success when it does not exist).
    fn delete(&self, ctx: &Ctx) -> Cmd;
    /// Deletes a cluster by name (orphan sweep).
    fn delete_named(&self, name: &str) -> Cmd;
    /// Commands that print a kubeconfig for `name` on stdout (orphan ownership check).
    fn kubeconfig_of(&self, name: &str) -> Option<Cmd>;
    /// The node label that marks the node receiving host traffic.
    fn ingress_node_selector(&self) -> (&'static str, &'static str);
    /// The Kubernetes version the cluster will run, when its config pins it
    /// (`v1.36.4`); native renders use it for `.Capabilities.KubeVersion`.
    fn kube_version(&self, _ctx: &Ctx) -> Option<String> {
        None
    }
}

pub fn new(kind: ProviderKind) -> Box<dyn Provider> {
    match kind {
        ProviderKind::Kind => Box::new(kind::Kind),
        ProviderKind::Minikube => Box::new(minikube::Minikube),
    }
}
