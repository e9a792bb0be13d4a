import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';

export interface SpendAlarmProps {
  /** US dollars a month. */
  monthlyUsd: number;
  /** Who is e-mailed. */
  email: string;
}

/**
 * An AWS Budgets cost budget for the account, month by month, that e-mails when the actual cost passes 80%
 * of the amount and when the month's forecast passes 100%. Account-wide: a GPU left running by anything
 * counts, and ganzoo's own resources need no cost allocation tags activated first. It alarms; it stops
 * nothing (the compute environments' maxVcpus bound what runs at once).
 */
export class SpendAlarm extends Construct {
  readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: SpendAlarmProps) {
    super(scope, id);
    const subscribers = [{ subscriptionType: 'EMAIL', address: props.email }];
    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [
        {
          notification: {
            notificationType: 'ACTUAL',
            comparisonOperator: 'GREATER_THAN',
            threshold: 80,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
        {
          notification: {
            notificationType: 'FORECASTED',
            comparisonOperator: 'GREATER_THAN',
            threshold: 100,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
      ],
    });
  }
}
