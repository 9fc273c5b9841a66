//! Reads template.yaml, the one description of the deployed system, so that the local stack
//! creates its table, queues and bucket exactly as declared, mounts the same routes and runs
//! the same schedule. Nothing here is copied from the template by hand.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_yaml::Value;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template.yaml: {0}")]
    Shape(String),
}

fn shape(msg: impl Into<String>) -> TemplateError {
    TemplateError::Shape(msg.into())
}

/// The parts of template.yaml the local stack and the drift test use.
#[derive(Debug, Clone)]
pub struct Template {
    pub table: TableSpec,
    /// Every queue, the dead-letter queues first (the order to create them in).
    pub queues: Vec<QueueSpec>,
    /// The environment variables that carry a queue's URL (`QUEUE_URL: !Ref WorkQueue`):
    /// variable → the queue's logical id.
    pub queue_variables: BTreeMap<String, String>,
    pub bucket: BucketSpec,
    pub functions: Vec<FunctionSpec>,
    /// The environment variables Globals give every function.
    pub global_variables: Vec<String>,
    /// The HTTP API's CORS settings, which the local server applies too.
    pub cors: Option<CorsRule>,
}

#[derive(Debug, Clone)]
pub struct TableSpec {
    /// (name, type) pairs, e.g. ("PK", "S").
    pub attributes: Vec<(String, String)>,
    pub hash_key: String,
    pub range_key: Option<String>,
    pub indexes: Vec<IndexSpec>,
    pub ttl_attribute: Option<String>,
    pub billing_mode: String,
}

#[derive(Debug, Clone)]
pub struct IndexSpec {
    pub name: String,
    pub hash_key: String,
    pub range_key: Option<String>,
    pub projection: String,
}

#[derive(Debug, Clone)]
pub struct QueueSpec {
    pub logical_id: String,
    pub visibility_timeout: Option<u64>,
    pub retention_seconds: Option<u64>,
    /// (dead-letter queue logical id, maxReceiveCount)
    pub redrive: Option<(String, u32)>,
}

#[derive(Debug, Clone)]
pub struct BucketSpec {
    pub logical_id: String,
    /// BlockPublicAcls and IgnorePublicAcls.
    pub block_public_acls: bool,
    /// BlockPublicPolicy and RestrictPublicBuckets.
    pub block_public_policy: bool,
    /// The prefix (`images/*`) an `AWS::S3::BucketPolicy` lets anyone read, if any.
    pub public_read: Option<String>,
    /// (methods, origins, headers, max age)
    pub cors: Vec<CorsRule>,
}

#[derive(Debug, Clone)]
pub struct CorsRule {
    pub methods: Vec<String>,
    pub origins: Vec<String>,
    pub headers: Vec<String>,
    pub max_age: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct FunctionSpec {
    pub logical_id: String,
    /// The functions/ binary that implements it, read from `CodeUri: target/lambda/<binary>/`
    /// (where `make lambda-release` puts each binary's `bootstrap`).
    pub binary: String,
    /// The names of its own environment variables (besides the Globals').
    pub variables: Vec<String>,
    /// Its variables whose value is a `!Ref` to another resource: (variable, logical id).
    pub references: Vec<(String, String)>,
    pub events: Vec<EventSpec>,
    /// Policy template names (DynamoDBReadPolicy, SQSSendMessagePolicy, ...).
    pub policies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventSpec {
    Http {
        method: String,
        path: String,
    },
    Sqs {
        queue: String,
        batch_size: u32,
        report_batch_item_failures: bool,
    },
    Schedule {
        every: Duration,
    },
}

impl Template {
    /// The repository's template.yaml, found from this crate's folder.
    pub fn repo_path() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("template.yaml")
    }

    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let doc: Value = serde_yaml::from_str(text)?;
        let resources = doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| shape("no Resources"))?;
        let mut by_type: BTreeMap<String, Vec<(String, &Value)>> = BTreeMap::new();
        for (id, res) in resources {
            let id = id
                .as_str()
                .ok_or_else(|| shape("a resource id is not a string"))?;
            let ty = str_at(res, &["Type"]).ok_or_else(|| shape(format!("{id} has no Type")))?;
            by_type
                .entry(ty.to_owned())
                .or_default()
                .push((id.to_owned(), res));
        }
        let one = |ty: &str| -> Result<&(String, &Value), TemplateError> {
            match by_type.get(ty).map(Vec::as_slice) {
                Some([only]) => Ok(only),
                _ => Err(shape(format!("expected exactly one {ty}"))),
            }
        };
        let table = parse_table(one("AWS::DynamoDB::Table")?.1)?;
        let mut queues: Vec<QueueSpec> = by_type
            .get("AWS::SQS::Queue")
            .map(|qs| qs.iter().map(|(id, q)| parse_queue(id, q)).collect())
            .unwrap_or_default();
        for q in &queues {
            if let Some((dlq, _)) = &q.redrive
                && !queues.iter().any(|d| d.logical_id == *dlq)
            {
                return Err(shape(format!(
                    "the dead-letter queue {dlq} is not declared"
                )));
            }
        }
        queues.sort_by_key(|q| q.redrive.is_some());
        let functions: Vec<FunctionSpec> = by_type
            .get("AWS::Serverless::Function")
            .map(|fs| {
                fs.iter()
                    .map(|(id, f)| parse_function(id, f))
                    .collect::<Result<_, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        // The functions' bucket; the admin console's bucket is CloudFront's alone (locally the
        // server serves admin/dist itself).
        let used_buckets: Vec<&(String, &Value)> = by_type
            .get("AWS::S3::Bucket")
            .into_iter()
            .flatten()
            .filter(|(id, _)| {
                functions
                    .iter()
                    .any(|f| f.references.iter().any(|(_, r)| r == id))
            })
            .collect();
        let (bucket_id, bucket) = match used_buckets.as_slice() {
            [only] => (&only.0, only.1),
            _ => {
                return Err(shape(
                    "expected exactly one AWS::S3::Bucket that functions use",
                ));
            }
        };
        let cors = by_type
            .get("AWS::Serverless::HttpApi")
            .and_then(|apis| apis.first())
            .and_then(|(_, api)| at(api, &["Properties", "CorsConfiguration"]))
            .map(|c| CorsRule {
                methods: strings(c.get("AllowMethods")),
                origins: strings(c.get("AllowOrigins")),
                headers: strings(c.get("AllowHeaders")),
                max_age: u64_at(c, &["MaxAge"]).map(|v| v as i32),
            });
        let global_variables = at(&doc, &["Globals", "Function", "Environment", "Variables"])
            .map(mapping_keys)
            .unwrap_or_default();
        let queue_variables = functions
            .iter()
            .flat_map(|f: &FunctionSpec| &f.references)
            .filter(|(_, id)| queues.iter().any(|q| q.logical_id == *id))
            .cloned()
            .collect();
        Ok(Self {
            cors,
            global_variables,
            table,
            queues,
            queue_variables,
            bucket: BucketSpec {
                public_read: by_type
                    .get("AWS::S3::BucketPolicy")
                    .into_iter()
                    .flatten()
                    .find_map(|(_, policy)| public_read_prefix(policy, bucket_id)),
                ..parse_bucket(bucket_id, bucket)
            },
            functions,
        })
    }

    /// The queue whose URL the variable `variable` carries.
    pub fn queue_of(&self, variable: &str) -> Option<&QueueSpec> {
        let id = self.queue_variables.get(variable)?;
        self.queues.iter().find(|q| q.logical_id == *id)
    }

    /// Each SQS-triggered function with the queue it drains and its batch size.
    pub fn consumers(&self) -> Vec<(&FunctionSpec, &QueueSpec, u32)> {
        self.functions
            .iter()
            .flat_map(|f| {
                f.events.iter().filter_map(move |e| match e {
                    EventSpec::Sqs {
                        queue, batch_size, ..
                    } => Some((f, queue, *batch_size)),
                    _ => None,
                })
            })
            .filter_map(|(f, queue, batch)| {
                let spec = self.queues.iter().find(|q| q.logical_id == *queue)?;
                Some((f, spec, batch))
            })
            .collect()
    }

    /// Every scheduled function with its period.
    pub fn schedules(&self) -> Vec<(&FunctionSpec, Duration)> {
        self.functions
            .iter()
            .flat_map(|f| {
                f.events.iter().filter_map(move |e| match e {
                    EventSpec::Schedule { every } => Some((f, *every)),
                    _ => None,
                })
            })
            .collect()
    }
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

fn u64_at(v: &Value, path: &[&str]) -> Option<u64> {
    at(v, path).and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_sequence)
        .map(|seq| {
            seq.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The logical id a `!GetAtt X.Arn` or `!Ref X` points at.
fn referenced_id(v: &Value) -> Option<String> {
    match v {
        Value::Tagged(t) if t.tag == "!GetAtt" || t.tag == "!Ref" => t
            .value
            .as_str()
            .map(|s| s.split('.').next().unwrap_or(s).to_owned()),
        Value::Mapping(_) => str_at(v, &["Fn::GetAtt"])
            .or_else(|| str_at(v, &["Ref"]))
            .map(|s| s.split('.').next().unwrap_or(s).to_owned())
            .or_else(|| {
                at(v, &["Fn::GetAtt"])
                    .and_then(|a| a.get(0))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            }),
        _ => None,
    }
}

fn key_schema(v: Option<&Value>) -> (String, Option<String>) {
    let mut hash = String::new();
    let mut range = None;
    for k in v.and_then(Value::as_sequence).into_iter().flatten() {
        let name = str_at(k, &["AttributeName"]).unwrap_or_default().to_owned();
        match str_at(k, &["KeyType"]) {
            Some("HASH") => hash = name,
            Some("RANGE") => range = Some(name),
            _ => {}
        }
    }
    (hash, range)
}

fn parse_table(res: &Value) -> Result<TableSpec, TemplateError> {
    let p = res
        .get("Properties")
        .ok_or_else(|| shape("the table has no Properties"))?;
    let attributes = p
        .get("AttributeDefinitions")
        .and_then(Value::as_sequence)
        .ok_or_else(|| shape("the table has no AttributeDefinitions"))?
        .iter()
        .map(|a| {
            (
                str_at(a, &["AttributeName"]).unwrap_or_default().to_owned(),
                str_at(a, &["AttributeType"]).unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let (hash_key, range_key) = key_schema(p.get("KeySchema"));
    if hash_key.is_empty() {
        return Err(shape("the table has no HASH key"));
    }
    let indexes = p
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|i| {
            let (hash_key, range_key) = key_schema(i.get("KeySchema"));
            IndexSpec {
                name: str_at(i, &["IndexName"]).unwrap_or_default().to_owned(),
                hash_key,
                range_key,
                projection: str_at(i, &["Projection", "ProjectionType"])
                    .unwrap_or("ALL")
                    .to_owned(),
            }
        })
        .collect();
    let ttl_enabled =
        at(p, &["TimeToLiveSpecification", "Enabled"]).and_then(Value::as_bool) == Some(true);
    Ok(TableSpec {
        attributes,
        hash_key,
        range_key,
        indexes,
        ttl_attribute: ttl_enabled
            .then(|| str_at(p, &["TimeToLiveSpecification", "AttributeName"]).map(str::to_owned))
            .flatten(),
        billing_mode: str_at(p, &["BillingMode"])
            .unwrap_or("PROVISIONED")
            .to_owned(),
    })
}

fn parse_queue(id: &str, res: &Value) -> QueueSpec {
    let empty = Value::Null;
    let p = res.get("Properties").unwrap_or(&empty);
    QueueSpec {
        logical_id: id.to_owned(),
        visibility_timeout: u64_at(p, &["VisibilityTimeout"]),
        retention_seconds: u64_at(p, &["MessageRetentionPeriod"]),
        redrive: p.get("RedrivePolicy").and_then(|r| {
            Some((
                referenced_id(r.get("deadLetterTargetArn")?)?,
                u64_at(r, &["maxReceiveCount"])? as u32,
            ))
        }),
    }
}

fn parse_bucket(id: &str, res: &Value) -> BucketSpec {
    let empty = Value::Null;
    let p = res.get("Properties").unwrap_or(&empty);
    let all_true = |keys: &[&str]| {
        at(p, &["PublicAccessBlockConfiguration"]).is_some_and(|b| {
            keys.iter()
                .all(|k| b.get(*k).and_then(Value::as_bool) == Some(true))
        })
    };
    let cors = at(p, &["CorsConfiguration", "CorsRules"])
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|r| CorsRule {
            methods: strings(r.get("AllowedMethods")),
            origins: strings(r.get("AllowedOrigins")),
            headers: strings(r.get("AllowedHeaders")),
            max_age: u64_at(r, &["MaxAge"]).map(|v| v as i32),
        })
        .collect();
    BucketSpec {
        logical_id: id.to_owned(),
        block_public_acls: all_true(&["BlockPublicAcls", "IgnorePublicAcls"]),
        block_public_policy: all_true(&["BlockPublicPolicy", "RestrictPublicBuckets"]),
        public_read: None,
        cors,
    }
}

/// The prefix a bucket policy lets anyone `s3:GetObject`: its statement's Resource is
/// `!Sub "${Bucket.Arn}/<prefix>"`.
fn public_read_prefix(policy: &Value, bucket_id: &str) -> Option<String> {
    let statements = at(policy, &["Properties", "PolicyDocument", "Statement"])?.as_sequence()?;
    statements.iter().find_map(|s| {
        let public = str_at(s, &["Effect"]) == Some("Allow")
            && str_at(s, &["Principal"]) == Some("*")
            && str_at(s, &["Action"]) == Some("s3:GetObject");
        let resource = match s.get("Resource")? {
            Value::Tagged(tagged) => tagged.value.as_str()?,
            other => other.as_str()?,
        };
        let prefix = resource.strip_prefix(&format!("${{{bucket_id}.Arn}}/"))?;
        public.then(|| prefix.to_owned())
    })
}

/// The keys of a YAML mapping, in order.
fn mapping_keys(v: &Value) -> Vec<String> {
    v.as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.as_str().map(str::to_owned))
        .collect()
}

fn parse_function(id: &str, res: &Value) -> Result<FunctionSpec, TemplateError> {
    let empty = Value::Null;
    let p = res.get("Properties").unwrap_or(&empty);
    let binary = str_at(p, &["CodeUri"])
        .and_then(|uri| uri.strip_prefix("target/lambda/"))
        .map(|rest| rest.trim_end_matches('/'))
        .filter(|bin| !bin.is_empty() && !bin.contains('/'))
        .ok_or_else(|| shape(format!("{id}: CodeUri must be target/lambda/<binary>/")))?
        .to_owned();
    let variables = at(p, &["Environment", "Variables"])
        .map(mapping_keys)
        .unwrap_or_default();
    let references = at(p, &["Environment", "Variables"])
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), referenced_id(v)?)))
        .collect();
    let mut events = Vec::new();
    for (_, ev) in p
        .get("Events")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        let props = ev.get("Properties").unwrap_or(&empty);
        let event = match str_at(ev, &["Type"]) {
            Some("HttpApi") => EventSpec::Http {
                method: str_at(props, &["Method"])
                    .unwrap_or_default()
                    .to_uppercase(),
                path: str_at(props, &["Path"]).unwrap_or_default().to_owned(),
            },
            Some("SQS") => EventSpec::Sqs {
                queue: props
                    .get("Queue")
                    .and_then(referenced_id)
                    .unwrap_or_default(),
                batch_size: u64_at(props, &["BatchSize"]).unwrap_or(10) as u32,
                report_batch_item_failures: strings(props.get("FunctionResponseTypes"))
                    .iter()
                    .any(|t| t == "ReportBatchItemFailures"),
            },
            Some("Schedule") => {
                let expr = str_at(props, &["Schedule"]).unwrap_or_default();
                EventSpec::Schedule {
                    every: parse_rate(expr)
                        .ok_or_else(|| shape(format!("{id}: cannot read schedule {expr:?}")))?,
                }
            }
            other => return Err(shape(format!("{id}: unsupported event type {other:?}"))),
        };
        events.push(event);
    }
    let policies = p
        .get("Policies")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|pol| match pol {
            Value::String(name) => Some(name.clone()),
            Value::Mapping(m) => m.keys().next().and_then(Value::as_str).map(str::to_owned),
            _ => None,
        })
        .collect();
    Ok(FunctionSpec {
        logical_id: id.to_owned(),
        binary,
        variables,
        references,
        events,
        policies,
    })
}

/// `rate(5 minutes)`, `rate(1 hour)`, `rate(30 seconds)` → a period.
pub fn parse_rate(expr: &str) -> Option<Duration> {
    let inner = expr.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let (n, unit) = inner.trim().split_once(' ')?;
    let n: u64 = n.parse().ok().filter(|n| *n > 0)?;
    let secs = match unit.trim() {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86400,
        _ => return None,
    };
    Some(Duration::from_secs(n * secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rates() {
        assert_eq!(
            parse_rate("rate(5 minutes)"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(parse_rate("rate(1 hour)"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_rate("rate(0 minutes)"), None);
        assert_eq!(parse_rate("cron(0 * * * ? *)"), None);
    }

    #[test]
    fn reads_the_repository_template() {
        let t = Template::load(&Template::repo_path()).unwrap();
        assert_eq!(t.table.hash_key, "PK");
        assert_eq!(t.table.range_key.as_deref(), Some("SK"));
        assert_eq!(t.table.indexes.len(), 3);
        assert_eq!(t.table.ttl_attribute.as_deref(), Some("expires_at"));
        assert_eq!(t.table.billing_mode, "PAY_PER_REQUEST");
        let work = t.queue_of("QUEUE_URL").unwrap();
        assert_eq!(work.logical_id, "WorkQueue");
        assert_eq!(work.redrive, Some(("WorkDeadLetterQueue".to_owned(), 5)));
        let images = t.queue_of("IMAGE_QUEUE_URL").unwrap();
        assert_eq!(images.redrive, Some(("WorkDeadLetterQueue".to_owned(), 5)));
        assert_eq!(
            t.queues[0].logical_id, "WorkDeadLetterQueue",
            "dead-letter queues come first"
        );
        assert!(t.bucket.block_public_acls);
        assert!(!t.bucket.block_public_policy);
        assert_eq!(t.bucket.public_read.as_deref(), Some("images/*"));
        assert!(t.bucket.cors[0].methods.contains(&"PUT".to_owned()));
        let consumers: Vec<_> = t
            .consumers()
            .into_iter()
            .map(|(f, q, batch)| (f.binary.as_str(), q.logical_id.as_str(), batch))
            .collect();
        assert_eq!(
            consumers.len(),
            2,
            "the worker and the images worker: {consumers:?}"
        );
        assert!(consumers.contains(&("worker", "WorkQueue", 10)));
        assert!(consumers.contains(&("images_worker", "ImageQueue", 1)));
        let cors = t.cors.as_ref().unwrap();
        assert!(cors.headers.contains(&"authorization".to_owned()));
        assert!(cors.methods.contains(&"PATCH".to_owned()));
        let schedules: Vec<_> = t
            .schedules()
            .into_iter()
            .map(|(f, every)| (f.binary.as_str(), every))
            .collect();
        assert_eq!(
            schedules,
            vec![
                ("cleanup", Duration::from_secs(300)),
                ("stock_alerts", Duration::from_secs(86400))
            ]
        );
    }
}
